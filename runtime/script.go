package runtime

import (
	"bytes"
	"errors"
	"io"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Script is a compiled chunk. It holds no state and may run in any number
// of States, one after another or at once.
type Script struct {
	Name  string
	proto *lua.FunctionProto
}

// Compile parses and compiles src once. name is what errors and tracebacks
// call the chunk (the script's file name). A bad chunk gives *SyntaxError.
func Compile(name string, src []byte) (*Script, error) {
	if bytes.HasPrefix(src, []byte("\x1bLua")) || bytes.HasPrefix(src, []byte{0x1b}) {
		return nil, &SyntaxError{File: name, Line: 1, Message: "precompiled bytecode is not allowed; load Lua source"}
	}
	proto, err := compileChunk(bytes.NewReader(src), name)
	if err != nil {
		return nil, syntaxError(name, src, err)
	}
	return &Script{Name: name, proto: proto}, nil
}

// compileChunk is the one way Lua source becomes code in exorun (scripts,
// modules, load): parsed, its `..` made to check the heap (see
// guardConcat), and compiled.
func compileChunk(src io.Reader, name string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(src, name)
	if err != nil {
		return nil, err
	}
	return lua.Compile(guardConcat(chunk), name)
}

func syntaxError(name string, src []byte, err error) error {
	var pe *parse.Error
	if errors.As(err, &pe) {
		se := &SyntaxError{File: name, Line: pe.Pos.Line, Column: pe.Pos.Column, Near: pe.Token, Message: pe.Message}
		if pe.Pos.Line == parse.EOF {
			se.AtEOF = true
			se.Near = ""
			se.Line = bytes.Count(src, []byte("\n"))
			if len(src) > 0 && src[len(src)-1] != '\n' {
				se.Line++
			}
		}
		return se
	}
	var ce *lua.CompileError
	if errors.As(err, &ce) {
		return &SyntaxError{File: name, Line: ce.Line, Message: ce.Message}
	}
	return &SyntaxError{File: name, Message: strings.TrimSpace(err.Error())}
}
