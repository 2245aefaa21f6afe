#!/usr/bin/env python3
"""Turn a file into a C array: embed.py [--binary] NAME INPUT OUTPUT.

A text file becomes a NUL-terminated char array (rather than a string literal:
ISO C caps literals at 4095 bytes). With --binary, the bytes as they are, in
an unsigned char array, with their count in NAME_size."""
import sys

args = sys.argv[1:]
binary = args[0] == "--binary"
name, src, dst = args[1:4] if binary else args[0:3]
data = open(src, "rb").read() + (b"" if binary else b"\0")
with open(dst, "w") as out:
    out.write("/* Generated from %s by embed.py. */\n" % src.split("/")[-1])
    if binary:
        out.write("const unsigned long %s_size = %d;\n" % (name, len(data)))
    out.write("const %s %s[] = {\n" % ("unsigned char" if binary else "char", name))
    for i in range(0, len(data), 16):
        out.write("        " + ", ".join("0x%02x" % b for b in data[i:i + 16]) + ",\n")
    out.write("};\n")
