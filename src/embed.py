#!/usr/bin/env python3
"""Turn a text file into a NUL-terminated C char array: embed.py NAME INPUT OUTPUT.

A byte array rather than a string literal: ISO C caps literals at 4095 bytes."""
import sys

name, src, dst = sys.argv[1:4]
data = open(src, "rb").read() + b"\0"
with open(dst, "w") as out:
    out.write("/* Generated from %s by embed.py. */\n" % src.split("/")[-1])
    out.write("const char %s[] = {\n" % name)
    for i in range(0, len(data), 16):
        out.write("        " + ", ".join("0x%02x" % b for b in data[i:i + 16]) + ",\n")
    out.write("};\n")
