package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// completion implements `crosscast completion bash|zsh`: a script that
// completes subcommands, their flags and the values of --compat, --role
// and --channels, and falls back to file names elsewhere. The flags come
// from the commands' usage lines, which a test checks against the flags
// each command defines.
func (m *Main) completion(args []string) error {
	fset := flag.NewFlagSet("completion", flag.ContinueOnError)
	if err := m.parseFlags(fset, args, 1, 1); err != nil {
		return err
	}
	switch fset.Arg(0) {
	case "bash":
		bashCompletion(m.Stdout)
	case "zsh":
		zshCompletion(m.Stdout)
	default:
		return usageError{fmt.Sprintf("completion: unknown shell %q (bash or zsh)", fset.Arg(0))}
	}
	return nil
}

var flagInSynopsis = regexp.MustCompile(`(?:^|[\s\[])(--?[a-z][a-z-]*)`)

// completionFlags returns the flags of command c as its usage line names
// them, and --help.
func completionFlags(c command) []string {
	var out []string
	for _, m := range flagInSynopsis.FindAllStringSubmatch(c.synopsis, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return append(out, "--help")
}

// topWords is what may follow crosscast: each command's first word.
func topWords() []string {
	var out []string
	for _, c := range commands() {
		w, _, _ := strings.Cut(c.name, " ")
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return append(out, "help")
}

// subWords is the subcommands of group ("user": add passwd).
func subWords(group string) []string {
	var out []string
	for _, c := range commands() {
		if g, sub, ok := strings.Cut(c.name, " "); ok && g == group {
			out = append(out, sub)
		}
	}
	return out
}

// flagValues is the words a flag's value may be, for the flags that
// take one of a few.
func flagValues() [][2]string {
	return [][2]string{
		{"--compat", "hugo jekyll"},
		{"--role", "writer editor admin"},
		{"--channels", strings.Join(mapKeys(channels()), " ")},
	}
}

func bashCompletion(w io.Writer) {
	top := strings.Join(topWords(), " ")
	fmt.Fprintf(w, `# bash completion for crosscast. Load it with: source <(crosscast completion bash)
_crosscast() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd=${COMP_WORDS[1]} words=
	COMPREPLY=()
	if (( COMP_CWORD == 1 )); then
		COMPREPLY=($(compgen -W "%s --help --version" -- "$cur"))
		return
	fi
	case $cmd in
	user|token|digest)
		if (( COMP_CWORD == 2 )); then
			case $cmd in
			user) words="%s" ;;
			token) words="%s" ;;
			digest) words="%s" ;;
			esac
			COMPREPLY=($(compgen -W "$words" -- "$cur"))
			return
		fi
		cmd="$cmd ${COMP_WORDS[2]}" ;;
	help)
		if (( COMP_CWORD == 2 )); then
			COMPREPLY=($(compgen -W "%s" -- "$cur"))
		fi
		return ;;
	completion)
		COMPREPLY=($(compgen -W "bash zsh" -- "$cur"))
		return ;;
	esac
	case $prev in
`, top, strings.Join(subWords("user"), " "), strings.Join(subWords("token"), " "), strings.Join(subWords("digest"), " "), top)
	for _, fv := range flagValues() {
		fmt.Fprintf(w, "\t%s)\n\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n\t\treturn ;;\n", fv[0], fv[1])
	}
	fmt.Fprint(w, "\tesac\n\tif [[ $cur == -* ]]; then\n\t\tcase $cmd in\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t\t%q) words=%q ;;\n", c.name, strings.Join(completionFlags(c), " "))
	}
	fmt.Fprint(w, `		esac
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
	fi
}
complete -o default -F _crosscast crosscast
`)
}

func zshCompletion(w io.Writer) {
	top := strings.Join(topWords(), " ")
	fmt.Fprintf(w, `#compdef crosscast
# zsh completion for crosscast. Load it with: source <(crosscast completion zsh)
# after compinit, or save it as _crosscast in a folder on $fpath.
_crosscast() {
	local cmd=${words[2]}
	if (( CURRENT == 2 )); then
		compadd -- %s --help --version
		return
	fi
	case $cmd in
	user|token|digest)
		if (( CURRENT == 3 )); then
			case $cmd in
			user) compadd -- %s ;;
			token) compadd -- %s ;;
			digest) compadd -- %s ;;
			esac
			return
		fi
		cmd="$cmd ${words[3]}" ;;
	help)
		(( CURRENT == 3 )) && compadd -- %s
		return ;;
	completion)
		compadd -- bash zsh
		return ;;
	esac
	case ${words[CURRENT-1]} in
`, top, strings.Join(subWords("user"), " "), strings.Join(subWords("token"), " "), strings.Join(subWords("digest"), " "), top)
	for _, fv := range flagValues() {
		fmt.Fprintf(w, "\t%s)\n\t\tcompadd -- %s\n\t\treturn ;;\n", fv[0], fv[1])
	}
	fmt.Fprint(w, "\tesac\n\tif [[ ${words[CURRENT]} == -* ]]; then\n\t\tcase $cmd in\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t\t%q) compadd -- %s ;;\n", c.name, strings.Join(completionFlags(c), " "))
	}
	fmt.Fprint(w, `		esac
	else
		_files
	fi
}
if [[ ${funcstack[1]} == _crosscast ]]; then
	_crosscast "$@"
else
	compdef _crosscast crosscast
fi
`)
}
