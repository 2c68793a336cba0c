"""``reconciler completion bash|zsh``: a shell completion script that asks reconciler back.

The script knows nothing itself: on TAB it runs ``reconciler completion --complete --
WORDS…``, which imports only the command being typed (see ``commands._parser``), so
completion stays quick and always matches the installed version's flags.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from aep_reconciler.commands._parser import Subparsers, candidates, runs
from aep_reconciler.diagnostics import ConfigError
from aep_reconciler.exit_codes import ExitCode

SHELLS = ("bash", "zsh")

BASH = r"""# bash completion for reconciler; load it with:  source <(reconciler completion bash)
_reconciler_complete() {
    local cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\n' words
    words=$(reconciler completion --complete -- "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null) \
        || return 0
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -o bashdefault -F _reconciler_complete reconciler
"""

ZSH = r"""#compdef reconciler
# zsh completion for reconciler; load it with:  source <(reconciler completion zsh)
# (after compinit), or save it as _reconciler in a directory of $fpath.
_reconciler() {
    local -a found
    found=(${(f)"$(reconciler completion --complete -- ${words[2,CURRENT-1]} 2>/dev/null)"})
    if (( ${#found} )); then
        compadd -- $found
    else
        _files
    fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _reconciler "$@"
else
    compdef _reconciler reconciler
fi
"""


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "completion",
        description="Print a completion script for SHELL. bash: source <(reconciler "
        "completion bash), e.g. in ~/.bashrc; zsh: source <(reconciler completion zsh) after "
        "compinit.",
    )
    parser.add_argument("words", nargs="*", metavar="SHELL", help="bash or zsh")
    parser.add_argument(
        "--complete",
        action="store_true",
        help=argparse.SUPPRESS,  # what the scripts call: candidates after WORDS, one a line
    )
    runs(parser, run, CompletionArgs)


@dataclass(frozen=True)
class CompletionArgs:
    words: Sequence[str]
    complete: bool


def run(args: CompletionArgs) -> ExitCode:
    if args.complete:
        for word in candidates(args.words):
            print(word)
        return ExitCode.OK
    if len(args.words) != 1 or args.words[0] not in SHELLS:
        raise ConfigError(f"name one shell: reconciler completion {{{','.join(SHELLS)}}}")
    print(BASH if args.words[0] == "bash" else ZSH, end="")
    return ExitCode.OK
