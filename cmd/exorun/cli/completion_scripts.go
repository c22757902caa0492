package cli

// completionScripts are the shells' glue, by shell. Each sends the words
// before the cursor and the word being completed, marked with a leading
// ':' (PowerShell before 7.3 drops an empty argument to a native command,
// so the word is never empty), to `exorun __complete`, and reads back a
// candidate per line and a directive (:nofiles, :files or :dirs).
func completionScripts() map[string]string {
	return map[string]string{
		"bash":       bashCompletion,
		"zsh":        zshCompletion,
		"fish":       fishCompletion,
		"powershell": powershellCompletion,
	}
}

const bashCompletion = `# bash completion for exorun: source <(exorun completion bash)
_exorun_unquote() {
    # A word as the command will get it: without its quotes and
    # backslashes ("Global Re, Global\ Re).
    local w=$1
    case $w in
        \"*) w=${w#\"}; w=${w%\"} ;;
        \'*) w=${w#\'}; w=${w%\'} ;;
        *) w=${w//\\/} ;;
    esac
    printf '%s' "$w"
}
_exorun() {
    # COMP_WORDS keeps quoted words whole but splits NAME=VALUE at '=':
    # join them again.
    local -a words=()
    local i w
    for ((i = 1; i <= COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if ((${#words[@]} > 0)) && [[ $w == "=" || ${COMP_WORDS[i-1]} == "=" ]]; then
            words[${#words[@]}-1]+=$w
        else
            words+=("$w")
        fi
    done
    local cur=${words[${#words[@]}-1]}
    unset 'words[${#words[@]}-1]'
    local -a args=()
    for w in "${words[@]}"; do
        args+=("$(_exorun_unquote "$w")")
    done
    local out
    out=$(exorun __complete "${args[@]}" ":$(_exorun_unquote "$cur")" 2>/dev/null) || return
    local directive=${out##*$'\n'}
    [[ $out == *$'\n'* ]] && out=${out%$'\n'*} || out=""
    COMPREPLY=()
    [[ -n $out ]] && mapfile -t COMPREPLY <<< "$out"
    # bash replaces only what follows the '=' of NAME=VALUE.
    if [[ $cur == *=* && $COMP_WORDBREAKS == *=* ]]; then
        COMPREPLY=("${COMPREPLY[@]#"${cur%%=*}="}")
        cur=${cur#*=}
    fi
    case $directive in
        :files) mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$(_exorun_unquote "$cur")") ;;
        :dirs) mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$(_exorun_unquote "$cur")") ;;
    esac
}
complete -o filenames -F _exorun exorun
`

const zshCompletion = `#compdef exorun
# zsh completion for exorun: exorun completion zsh > "${fpath[1]}/_exorun",
# or source <(exorun completion zsh) after compinit.
_exorun() {
    # (Q) takes off the quotes typed around a word ("Global Re).
    local out directive cur=${(Q)words[CURRENT]}
    local -a cands
    out=$(exorun __complete "${(@Q)words[2,CURRENT-1]}" ":$cur" 2>/dev/null) || return 1
    cands=("${(@f)out}")
    directive=${cands[-1]}
    cands=("${(@)cands[1,-2]}")
    if [[ $cur == --*=* ]]; then
        compset -P '*='
        cands=("${(@)cands#*=}")
    fi
    (( ${#cands} )) && compadd -a cands
    case $directive in
        :files) _files ;;
        :dirs) _files -/ ;;
    esac
}
if [ "$funcstack[1]" = "_exorun" ]; then
    _exorun "$@"
else
    compdef _exorun exorun
fi
`

const fishCompletion = `# fish completion for exorun: exorun completion fish > ~/.config/fish/completions/exorun.fish
function __exorun_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l out (exorun __complete $words[2..-1] ":$cur" 2>/dev/null)
    or return
    set -l directive $out[-1]
    set -e out[-1]
    for c in $out
        echo $c
    end
    switch $directive
        case :files
            __fish_complete_path $cur
        case :dirs
            __fish_complete_directories $cur
    end
end
complete -c exorun -f -a '(__exorun_complete)'
`

const powershellCompletion = `# PowerShell completion for exorun: exorun completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName exorun -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    # A quoted word as the command gets it: its value, not its text.
    $words = @($commandAst.CommandElements |
        Where-Object { $_.Extent.EndOffset -le $cursorPosition } |
        ForEach-Object { if ($_ -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $_.Value } else { $_.ToString() } })
    $before = @($words | Select-Object -Skip 1)
    if ($wordToComplete -ne '' -and $before.Count -gt 0) {
        $before = @($before | Select-Object -First ($before.Count - 1))
    }
    $out = @(& exorun __complete @before (":" + $wordToComplete.Trim("'", '"')) 2>$null)
    if ($out.Count -eq 0) { return }
    $directive = $out[-1]
    if ($out.Count -gt 1) {
        foreach ($c in $out[0..($out.Count - 2)]) {
            $text = if ($c -match '\s') { "'" + ($c -replace "'", "''") + "'" } else { $c }
            [System.Management.Automation.CompletionResult]::new($text, $c, 'ParameterValue', $c)
        }
    }
    if ($directive -eq ':files' -or $directive -eq ':dirs') {
        # --out=DIR completes the part after '='; the folder typed stays.
        $prefix, $path = '', $wordToComplete
        if ($wordToComplete -match '^(-[^=]+=)(.*)$') { $prefix, $path = $Matches[1], $Matches[2] }
        $path = $path.Trim("'", '"')
        $dir = Split-Path -Path $path -Parent
        Get-ChildItem -Path "$path*" -ErrorAction SilentlyContinue |
            Where-Object { $directive -eq ':files' -or $_.PSIsContainer } |
            ForEach-Object {
                $name = if ($dir) { Join-Path $dir $_.Name } else { $_.Name }
                $text = if ($name -match '[\s''\x60$();,{}@&|<>]') { "'" + ($name -replace "'", "''") + "'" } else { $name }
                [System.Management.Automation.CompletionResult]::new($prefix + $text, $_.Name, 'ProviderItem', $name)
            }
    }
}
`
