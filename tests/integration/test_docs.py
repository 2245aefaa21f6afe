# SPDX-License-Identifier: LGPL-2.1-or-later
"""The documentation covers exactly the options in the option table.

The option table in src/options.c is the only place where an option is
defined.  The helper program build/tests/dump-options prints it, one option a
line: NAME<TAB>NARGS<TAB>METAVAR<TAB>KIND,KIND...<TAB>HELP.  These tests check
that `cocoon --help`, the man page src/cocoon.1 and the bash, zsh and fish
completions under completions/ each describe every option of that table, and
name no option that is not in it.

Environment:
  COCOON_DUMP_OPTIONS  the dump program (default build/tests/dump-options)
  COCOON               the cocoon binary  (default build/src/cocoon)

The extractors below are tested on doctored texts too (the test_selfcheck_*
functions), so that a missing or an extra option cannot slip through because
an extractor went blind.
"""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MAN_PAGE = ROOT / "src" / "cocoon.1"
COMPLETIONS = ROOT / "completions"
COMPLETION_FILES = {
    "bash": COMPLETIONS / "cocoon.bash",
    "zsh": COMPLETIONS / "_cocoon",
    "fish": COMPLETIONS / "cocoon.fish",
}

DUMP_OPTIONS = os.environ.get("COCOON_DUMP_OPTIONS",
                              "/work/main/build/tests/dump-options")
COCOON = os.environ.get("COCOON", "/work/main/build/src/cocoon")

# The argument kinds of enum complete_kind (src/options.h).
KINDS = {"none", "file", "dir", "fd", "cap", "env", "number"}

# An option name where it is used as one: "--" and a letter or digit, not
# glued to a word or to another dash before it.  A lone "--" is not a name.
OPTION_RE = re.compile(r"(?<![\w-])--[A-Za-z0-9][A-Za-z0-9_-]*(?:=json\b)?")
# --explain=json is one option of its own: a name may end in =json.
NAME_RE = re.compile(r"--[a-z0-9][a-z0-9-]*(=json)?\Z")


# ---------------------------------------------------------------------------
# The option table


@dataclass(frozen=True)
class Option:
    name: str
    nargs: int
    metavar: tuple   # words of METAVAR, () when there is none
    kinds: tuple     # one kind per argument
    help: str


def parse_dump(text):
    """Parse dump-options output into a list of Option, in table order."""
    options = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t", 4)
        if len(fields) != 5:
            raise ValueError(f"dump line {lineno}: expected 5 tab-separated "
                             f"fields, got {len(fields)}: {line!r}")
        name, nargs, metavar, kinds, help_text = fields
        try:
            nargs = int(nargs)
        except ValueError:
            raise ValueError(f"dump line {lineno}: NARGS is not a number: "
                             f"{line!r}") from None
        kinds = [k.strip().lower() for k in kinds.split(",") if k.strip()]
        # A dump may print one kind per slot of the C array; the slots past
        # NARGS are padding.
        if len(kinds) > nargs and all(k == "none" for k in kinds[nargs:]):
            kinds = kinds[:nargs]
        options.append(Option(name.strip(), nargs, tuple(metavar.split()),
                              tuple(kinds), help_text.strip()))
    return options


@pytest.fixture(scope="module")
def table():
    if not os.access(DUMP_OPTIONS, os.X_OK):
        pytest.fail(f"{DUMP_OPTIONS} is missing: build the project first, or "
                    f"point COCOON_DUMP_OPTIONS at the dump-options program")
    proc = subprocess.run([DUMP_OPTIONS], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, \
        f"{DUMP_OPTIONS} exited {proc.returncode}: {proc.stderr}"
    options = parse_dump(proc.stdout)
    assert options, f"{DUMP_OPTIONS} printed no option"
    return options


def table_problems(options):
    problems = []
    seen = set()
    for o in options:
        where = f"table row {o.name!r}"
        if not NAME_RE.match(o.name):
            problems.append(f"{where}: not a valid long option name")
        if o.name in seen:
            problems.append(f"{where}: defined more than once")
        seen.add(o.name)
        if len(o.kinds) != o.nargs:
            problems.append(f"{where}: {o.nargs} argument(s) but completion "
                            f"kinds {list(o.kinds)}")
        if len(o.metavar) != o.nargs:
            problems.append(f"{where}: {o.nargs} argument(s) but metavar "
                            f"{' '.join(o.metavar)!r}")
        for k in o.kinds:
            if k not in KINDS:
                problems.append(f"{where}: unknown completion kind {k!r}")
        if not o.help:
            problems.append(f"{where}: no help text")
    return problems


def compare(where, table_names, defined, mentioned=()):
    """Problems found when comparing what a document defines and mentions
    with the table: options it misses, and options it names that are not
    in the table."""
    table_names = set(table_names)
    problems = []
    for name in sorted(table_names - set(defined)):
        problems.append(f"{where}: misses {name}")
    for name in sorted((set(defined) | set(mentioned)) - table_names):
        problems.append(f"{where}: names {name}, which is not in the table")
    return problems


def fail_on(problems):
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


# ---------------------------------------------------------------------------
# --help


def help_options(text):
    """Return ({name: words after it on its line}, duplicates, mentioned).

    An option is listed when a line starts (after indentation) with its name.
    Every option name anywhere in the text counts as mentioned."""
    defined, dups = {}, []
    for line in text.splitlines():
        m = re.match(r"\s*(--[A-Za-z0-9][A-Za-z0-9_-]*(?:=json)?)(?=\s|$)(.*)", line)
        if not m:
            continue
        if m.group(1) in defined:
            dups.append(m.group(1))
        defined[m.group(1)] = m.group(2).split()
    return defined, dups, set(OPTION_RE.findall(text))


def help_problems(text, options):
    defined, dups, mentioned = help_options(text)
    problems = [f"--help: lists {d} more than once" for d in dups]
    problems += compare("--help", [o.name for o in options], defined,
                        mentioned)
    for o in options:
        words = defined.get(o.name)
        if words is not None and tuple(words[:o.nargs]) != o.metavar:
            problems.append(f"--help: {o.name} is shown with "
                            f"{' '.join(words[:o.nargs])!r}, the table says "
                            f"{' '.join(o.metavar)!r}")
    return problems


# ---------------------------------------------------------------------------
# The man page


def deroff(line):
    """Plain text of one roff line: macro names, font changes and the
    escapes used in the page removed."""
    line = re.sub(r'(^|[^\\])\\".*', r"\1", line)        # comment
    if line.startswith((".", "'")):
        parts = line.split(None, 1)
        line = parts[1] if len(parts) > 1 else ""
        line = line.replace('"', "")
    line = re.sub(r"\\f(\[[^\]]*\]|\(..|.)", "", line)    # font changes
    line = re.sub(r"\\\((aq|cq)", "'", line)
    line = re.sub(r"\\\((lq|rq|dq)", '"', line)
    line = re.sub(r"\\\(\w\w", " ", line)                 # other glyphs
    line = line.replace("\\-", "-").replace("\\ ", " ")
    line = line.replace("\\&", "").replace("\\%", "").replace("\\e", "\\")
    return line


def man_options(text):
    """Return ({name: metavar words}, duplicates, mentioned).

    An option is defined by a .TP item in the OPTIONS section whose tag
    starts with its name.  Every option name anywhere in the page counts as
    mentioned."""
    defined, dups, mentioned = {}, [], set()
    lines = text.splitlines()
    section = None
    for i, raw in enumerate(lines):
        if raw.startswith(('.\\"', "'\\\"")):
            continue
        mentioned.update(OPTION_RE.findall(deroff(raw)))
        if re.match(r"\.SH\b", raw):
            section = deroff(raw).strip().upper()
        elif (section == "OPTIONS" and re.match(r"\.TP\b", raw)
              and i + 1 < len(lines)):
            words = deroff(lines[i + 1]).split()
            if words and words[0] != "--" and OPTION_RE.fullmatch(words[0]):
                if words[0] in defined:
                    dups.append(words[0])
                defined[words[0]] = words[1:]
    return defined, dups, mentioned


def man_problems(text, options):
    defined, dups, mentioned = man_options(text)
    problems = [f"man page: {d} has more than one entry" for d in dups]
    problems += compare("man page", [o.name for o in options], defined,
                        mentioned)
    for o in options:
        words = defined.get(o.name)
        if words is not None and tuple(words) != o.metavar:
            problems.append(f"man page: {o.name} is shown with "
                            f"{' '.join(words)!r}, the table says "
                            f"{' '.join(o.metavar)!r}")
    return problems


# ---------------------------------------------------------------------------
# The completions
#
# Each completion file holds its own copy of the table between the lines
# "# BEGIN OPTIONS" and "# END OPTIONS": one row per option, with the name,
# the comma-separated kinds of its arguments ("-" for none), and, for zsh and
# fish, a description.  The scripts build everything from those rows.

ROW_RE = re.compile(r"(--\S+)\s+(\S+)(?:\s+(.*))?\Z")


class MalformedCompletion(ValueError):
    pass


def completion_rows(text):
    """Return [(name, kinds)] from the BEGIN/END OPTIONS block."""
    m = re.search(r"^# BEGIN OPTIONS\n(.*?)^# END OPTIONS$", text,
                  re.MULTILINE | re.DOTALL)
    if not m or text.count("# BEGIN OPTIONS") != 1:
        raise MalformedCompletion("no single '# BEGIN OPTIONS' ... "
                                  "'# END OPTIONS' block")
    rows = []
    for line in m.group(1).splitlines():
        line = line.strip()
        if not line.startswith("--"):
            continue   # the shell lines that open and close the string
        row = ROW_RE.match(line)
        if not row or not OPTION_RE.fullmatch(row.group(1)):
            raise MalformedCompletion(f"malformed option row: {line!r}")
        kinds = () if row.group(2) == "-" else tuple(row.group(2).split(","))
        for k in kinds:
            if k not in KINDS:
                raise MalformedCompletion(f"unknown kind {k!r} in {line!r}")
        rows.append((row.group(1), kinds))
    return rows


def completion_mentions(text, shell):
    """Every option name the file uses, in the table or anywhere else."""
    names = set(OPTION_RE.findall(text))
    if shell == "fish":
        # In a "complete" command, "-l NAME" (or --long NAME) names --NAME.
        for line in text.replace("\\\n", " ").splitlines():
            if not re.match(r"\s*complete\b", line):
                continue
            for m in re.finditer(r"(?<=\s)(?:-l|--long(?:-option)?)(?:\s+|=)"
                                 r"['\"]?([A-Za-z0-9][A-Za-z0-9_-]*)", line):
                names.add("--" + m.group(1))
    return names


def completion_problems(shell, text, options):
    where = f"{shell} completion"
    try:
        rows = completion_rows(text)
    except MalformedCompletion as e:
        return [f"{where}: {e}"]
    defined = {}
    problems = []
    for name, kinds in rows:
        if name in defined:
            problems.append(f"{where}: {name} is listed more than once")
        defined[name] = kinds
    problems += compare(where, [o.name for o in options], defined,
                        completion_mentions(text, shell))
    for o in options:
        kinds = defined.get(o.name)
        if kinds is not None and kinds != o.kinds:
            want = ",".join(o.kinds) or "-"
            problems.append(f"{where}: {o.name} has kinds "
                            f"{','.join(kinds) or '-'}, the table says {want}")
    return problems


# ---------------------------------------------------------------------------
# The tests against the real table


def test_option_table_is_well_formed(table):
    fail_on(table_problems(table))


@pytest.mark.cocoon_only("compares cocoon's --help with cocoon's table")
def test_help_covers_exactly_the_table(table):
    if not os.access(COCOON, os.X_OK):
        pytest.fail(f"{COCOON} is missing: build the project first, or "
                    f"point COCOON at the binary")
    proc = subprocess.run([COCOON, "--help"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, f"--help exited {proc.returncode}"
    fail_on(help_problems(proc.stdout, table))


def test_man_page_covers_exactly_the_table(table):
    fail_on(man_problems(MAN_PAGE.read_text(), table))


@pytest.mark.parametrize("shell", sorted(COMPLETION_FILES))
def test_completion_covers_exactly_the_table(table, shell):
    text = COMPLETION_FILES[shell].read_text()
    fail_on(completion_problems(shell, text, table))


# The completions must not only list the options but offer them.

def _bash_complete(words):
    script = (f"source {COMPLETION_FILES['bash']}\n"
              'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))\n'
              'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}\n'
              '_cocoon cocoon "${COMP_WORDS[COMP_CWORD]}" '
              '"${COMP_WORDS[COMP_CWORD-1]}"\n'
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", script,
                           "bash"] + words, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return {w for w in proc.stdout.splitlines() if w}


def test_bash_completion_offers_the_table(table):
    fail_on(compare("bash completion of 'cocoon --'",
                    [o.name for o in table], _bash_complete(["cocoon", "--"])))
    caps = [o.name for o in table if o.kinds[:1] == ("cap",)]
    for name in caps:
        assert _bash_complete(["cocoon", name, "CAP_SYS_AD"]) == \
            {"CAP_SYS_ADMIN"}


def test_fish_completion_offers_the_table(table):
    if not shutil.which("fish"):
        pytest.skip("fish is not installed")
    fish = COMPLETION_FILES["fish"]
    proc = subprocess.run(
        ["fish", "--no-config", "-c",
         f"source {fish}; complete -C 'cocoon --'"],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    offered = {line.split("\t")[0] for line in proc.stdout.splitlines()}
    fail_on(compare("fish completion of 'cocoon --'",
                    [o.name for o in table], offered))


@pytest.mark.parametrize("shell", sorted(COMPLETION_FILES))
def test_completion_syntax(shell):
    if not shutil.which(shell):
        pytest.skip(f"{shell} is not installed")
    proc = subprocess.run([shell, "-n", str(COMPLETION_FILES[shell])],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


# ---------------------------------------------------------------------------
# Self-checks: each extractor notices a missing and an extra option.

FAKE_TABLE = parse_dump(
    "--help\t0\t\t\tPrint help\n"
    "--bind\t2\tSRC DEST\tfile,file\tBind SRC on DEST\n"
    "--bind-try\t2\tSRC DEST\tfile,file\tLike --bind, skip a missing SRC\n"
    "--cap-add\t1\tCAP\tcap\tAdd a capability\n"
    "--uid\t1\tUID\tnumber\tUser id inside\n")


def test_selfcheck_parse_dump():
    assert [o.name for o in FAKE_TABLE] == \
        ["--help", "--bind", "--bind-try", "--cap-add", "--uid"]
    assert FAKE_TABLE[1] == Option("--bind", 2, ("SRC", "DEST"),
                                   ("file", "file"), "Bind SRC on DEST")
    assert table_problems(FAKE_TABLE) == []
    # Padding kinds past NARGS are dropped; a short list is reported.
    assert parse_dump("--x\t0\t\tnone,none,none\th\n")[0].kinds == ()
    bad = parse_dump("--x\t2\tA B\tfile\th\n--x\t0\t\t\t\n")
    assert len(table_problems(bad)) == 3
    with pytest.raises(ValueError):
        parse_dump("--x\t0\th\n")


def _fake_help(options):
    lines = ["usage: cocoon [OPTIONS...] [--] COMMAND [ARGS...]", ""]
    for o in options:
        lines.append(f"    {' '.join((o.name,) + o.metavar):28} {o.help}")
    return "\n".join(lines) + "\n"


def test_selfcheck_help_extractor():
    assert help_problems(_fake_help(FAKE_TABLE), FAKE_TABLE) == []
    # --bind left out: still mentioned in --bind-try's help, but missing.
    doctored = _fake_help([o for o in FAKE_TABLE if o.name != "--bind"])
    doctored += "    --bogus-opt                  Not an option\n"
    assert help_problems(doctored, FAKE_TABLE) == [
        "--help: misses --bind",
        "--help: names --bogus-opt, which is not in the table"]
    # A name only in prose is extra too; a wrong metavar is reported.
    prose = _fake_help(FAKE_TABLE).replace("Add a capability",
                                           "Add a cap, see --imaginary")
    assert help_problems(prose, FAKE_TABLE) == [
        "--help: names --imaginary, which is not in the table"]
    wrong = _fake_help(FAKE_TABLE).replace("--uid UID", "--uid ID ")
    assert len(help_problems(wrong, FAKE_TABLE)) == 1


def _man_table(text):
    """A table that matches the man page exactly, whatever it holds."""
    defined, _, _ = man_options(text)
    return [Option(n, len(m), tuple(m), ("none",) * len(m), "h")
            for n, m in defined.items()]


def test_selfcheck_man_extractor():
    text = MAN_PAGE.read_text()
    options = _man_table(text)
    assert len(options) >= 2
    assert man_problems(text, options) == []
    # Rename the tag of the first item: its option goes missing even though
    # the page still mentions it elsewhere, and the new name is extra.
    victim = options[0].name
    roff_victim = victim.replace("-", "\\-")
    doctored, n = re.subn(r"(\.TP\n(?:\\fB|\.B )?)" + re.escape(roff_victim)
                          + r"(?![\w\\-])",
                          lambda m: m.group(1) + r"\-\-no\-such\-opt",
                          text, count=1)
    assert n == 1
    assert man_problems(doctored, options) == [
        f"man page: misses {victim}",
        "man page: names --no-such-opt, which is not in the table"]
    # An option that is only named in prose is extra.
    prose = text + ".PP\nSee also \\fB\\-\\-imaginary\\fR.\n"
    assert man_problems(prose, options) == [
        "man page: names --imaginary, which is not in the table"]
    # A name in a roff comment is not a mention.
    comment = text + '.\\" \\-\\-in\\-a\\-comment\n'
    assert man_problems(comment, options) == []
    # A wrong metavar is reported.
    with_args = [o for o in options if o.nargs]
    if with_args:
        o = with_args[0]
        wrong = [Option(x.name, x.nargs, ("X",) * x.nargs, x.kinds, x.help)
                 if x is o else x for x in options]
        assert len(man_problems(text, wrong)) == 1


def _completion_table(text):
    return [Option(n, len(k), ("X",) * len(k), k, "h")
            for n, k in completion_rows(text)]


@pytest.mark.parametrize("shell", sorted(COMPLETION_FILES))
def test_selfcheck_completion_extractor(shell):
    text = COMPLETION_FILES[shell].read_text()
    options = _completion_table(text)
    assert len(options) >= 2
    assert completion_problems(shell, text, options) == []
    # Drop the first row and add a row for an option that does not exist.
    victim = options[0].name
    row = re.compile(r"^[ \t]*" + re.escape(victim) + r"[ \t]+.*$\n",
                     re.MULTILINE)
    doctored, n = row.subn(
        "--no-such-opt            -           not an option\n", text, count=1)
    assert n == 1
    assert completion_problems(shell, doctored, options) == [
        f"{shell} completion: misses {victim}",
        f"{shell} completion: names --no-such-opt, which is not in the table"]
    # An option named outside the table is extra as well.
    stray = text + "\n# --imaginary\n"
    assert completion_problems(shell, stray, options) == [
        f"{shell} completion: names --imaginary, which is not in the table"]
    if shell == "fish":
        stray = text + "\ncomplete -c cocoon -l imaginary\n"
        assert completion_problems(shell, stray, options) == [
            "fish completion: names --imaginary, which is not in the table"]
    # A wrong kind is reported, and so is a malformed row.
    with_args = [o for o in options if o.nargs]
    o = with_args[0]
    wrong = [Option(x.name, x.nargs, x.metavar,
                    tuple("fd" if k != "fd" else "dir" for k in x.kinds),
                    x.help) if x is o else x for x in options]
    assert len(completion_problems(shell, text, wrong)) == 1
    broken = row.sub(victim + "\n", text, count=1)
    assert completion_problems(shell, broken, options) == [
        f"{shell} completion: malformed option row: {victim!r}"]
