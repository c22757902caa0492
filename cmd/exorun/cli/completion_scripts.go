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
_exorun() {
    local line=${COMP_LINE:0:COMP_POINT} cur=""
    local -a words
    read -ra words <<< "$line"
    if [[ $line != *[[:space:]] ]] && ((${#words[@]} > 1)); then
        cur=${words[${#words[@]}-1]}
        unset 'words[${#words[@]}-1]'
    fi
    local out
    out=$(exorun __complete "${words[@]:1}" ":$cur" 2>/dev/null) || return
    local directive=${out##*$'\n'}
    [[ $out == *$'\n'* ]] && out=${out%$'\n'*} || out=""
    COMPREPLY=()
    [[ -n $out ]] && mapfile -t COMPREPLY <<< "$out"
    # bash splits an option's NAME=VALUE at '=' and replaces only VALUE.
    if [[ $cur == *=* && $COMP_WORDBREAKS == *=* ]]; then
        COMPREPLY=("${COMPREPLY[@]#"${cur%%=*}="}")
        cur=${cur#*=}
    fi
    case $directive in
        :files) mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur") ;;
        :dirs) mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur") ;;
    esac
}
complete -o filenames -F _exorun exorun
`

const zshCompletion = `#compdef exorun
# zsh completion for exorun: exorun completion zsh > "${fpath[1]}/_exorun",
# or source <(exorun completion zsh) after compinit.
_exorun() {
    local out directive cur=${words[CURRENT]}
    local -a cands
    out=$(exorun __complete "${(@)words[2,CURRENT-1]}" ":$cur" 2>/dev/null) || return 1
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
    $words = @($commandAst.CommandElements |
        Where-Object { $_.Extent.EndOffset -le $cursorPosition } |
        ForEach-Object { $_.ToString() })
    $before = @($words | Select-Object -Skip 1)
    if ($wordToComplete -ne '' -and $before.Count -gt 0) {
        $before = @($before | Select-Object -First ($before.Count - 1))
    }
    $out = @(& exorun __complete @before ":$wordToComplete" 2>$null)
    if ($out.Count -eq 0) { return }
    $directive = $out[-1]
    if ($out.Count -gt 1) {
        foreach ($c in $out[0..($out.Count - 2)]) {
            $text = if ($c -match '\s') { "'" + ($c -replace "'", "''") + "'" } else { $c }
            [System.Management.Automation.CompletionResult]::new($text, $c, 'ParameterValue', $c)
        }
    }
    if ($directive -eq ':files' -or $directive -eq ':dirs') {
        Get-ChildItem -Path "$wordToComplete*" -ErrorAction SilentlyContinue |
            Where-Object { $directive -eq ':files' -or $_.PSIsContainer } |
            ForEach-Object {
                $name = if ($_.Name -match '\s') { "'" + $_.Name + "'" } else { $_.Name }
                [System.Management.Automation.CompletionResult]::new($name, $_.Name, 'ProviderItem', $_.Name)
            }
    }
}
`
