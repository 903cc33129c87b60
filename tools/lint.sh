#!/usr/bin/env bash
# The house rules, checked: `make lint` (part of `make test`).
#
#   tools/lint.sh          check; one line per rule, then "N passed, N failed"
#   tools/lint.sh --fix    reformat every C file in place with clang-format
#
# Rules (README.md "House style"):
#   format        every .c/.h file is as .clang-format says (Linux kernel style)
#   no-asm        mmu/ and kvm/ contain no inline assembly
#   no-registers  mmu/ and kvm/ name no system register, control/debug register or MSR
#                 (code only: comments and string literals may cite the manuals)
#   mmu-alone     mmu/ includes only mmu/ headers and the C library: it builds on the host
#   file-length   no source file over 800 lines
#   readmes       every folder holding sources has a README.md
set -u
cd "$(dirname "$0")/.."

CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
MAX_LINES=800
passed=0
failed=0

sources() {
	git ls-files -- "$@" 2>/dev/null || find "${@%%/*}" -type f
}

c_files() {
	sources 'boot/*.[ch]' 'arch/*.[ch]' 'mmu/*.[ch]' 'kvm/*.[ch]' 'tests/*.[ch]'
}

if [ "${1:-}" = "--fix" ]; then
	c_files | xargs "$CLANG_FORMAT" -i
	exit 0
fi

# verdict RULE OFFENDERS...: one line for the rule, the offenders (at most 10) below it.
verdict() {
	local rule=$1
	shift
	if [ $# -eq 0 ]; then
		echo "PASS lint/$rule"
		passed=$((passed + 1))
		return
	fi
	echo "FAIL lint/$rule: $# offending (first 10 below)"
	printf '    %s\n' "${@:1:10}"
	failed=$((failed + 1))
}

# The code of a C file without its comments and string contents, line numbers kept:
# the preprocessor in "already preprocessed" mode drops comments and expands nothing.
code_of() {
	gcc -fpreprocessed -dD -E "$1" 2>/dev/null | sed -E 's/"([^"\\]|\\.)*"/""/g'
}

# Lines of mmu/ and kvm/ code matching the extended regex $1, as file:line: text.
core_code_matching() {
	local f
	for f in $(sources 'mmu/*.[ch]' 'kvm/*.[ch]'); do
		code_of "$f" | awk -v f="$f" -v re="$1" '
			/^# [0-9]+ "/ { line = $2 - 1; next }
			{ line++ }
			$0 ~ re { sub(/^[ \t]+/, ""); print f ":" line ": " $0 }'
	done
}

# One clang-format run over the whole tree: it names each file:line it would change.
format_offenders() {
	c_files | xargs "$CLANG_FORMAT" --dry-run 2>&1 | sed -nE 's/^([^:]+):[0-9]+:[0-9]+: .*/\1/p' |
		uniq
}

# Register names as they appear in code: arm64 system registers end in _ELn; x86 control,
# debug and extended control registers, EFER and MSR constants; the SVM control block.
W='(^|[^A-Za-z0-9_])'
E='($|[^A-Za-z0-9_])'
REGS="${W}([A-Za-z0-9_]+_[Ee][Ll][0-3]|[Cc][Rr][0-8]|[Dd][Rr][0-7]|[Ee][Ff][Ee][Rr]|[Xx][Cc][Rr]0"
REGS+="|MSR_[A-Za-z0-9_]+|[Vv][Mm][Cc][Bb]|cr0_wp|cr4_[a-z]+|nxe|NXE)${E}"
ASM="${W}(asm|__asm|__asm__)${E}"

mapfile -t bad < <(format_offenders)
verdict format "${bad[@]}"

mapfile -t bad < <(core_code_matching "$ASM")
verdict no-asm "${bad[@]}"

mapfile -t bad < <(core_code_matching "$REGS")
verdict no-registers "${bad[@]}"

mapfile -t bad < <(grep -nE '^#include +"' $(sources 'mmu/*.[ch]') |
		   grep -vE '#include +"([a-z0-9_]+\.h)"')
verdict mmu-alone "${bad[@]}"

mapfile -t bad < <(for f in $(sources '*.c' '*.h' '*.S'); do
			   n=$(wc -l <"$f")
			   [ "$n" -gt "$MAX_LINES" ] && echo "$f: $n lines"
		   done)
verdict file-length "${bad[@]}"

mapfile -t bad < <(for d in $(sources '*.c' '*.h' '*.S' | xargs -n1 dirname | sort -u); do
			   [ -f "$d/README.md" ] || echo "$d"
		   done)
verdict readmes "${bad[@]}"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
