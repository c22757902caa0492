package adminapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// The InvokeCommand envelope (PROTOCOL.md 3.4) is split by a small
// scanner instead of encoding/json: a page of 1,000 mailboxes is several MB,
// and json.Unmarshal into []json.RawMessage validates it, scans it again and
// copies every object, which cost more CPU than the emulator spends
// rendering the page. The scanner checks the structure (nesting, strings,
// literals, numbers' characters) in one pass and copies each object once.
// It does not check what is inside strings (escapes, control characters)
// or the exact number grammar; the decoder of each object does.

// envelope is what a page says.
type envelope struct {
	value    []json.RawMessage
	next     string
	warnings []string
	errors   []json.RawMessage
}

// maxDepth bounds nesting; real objects are a few levels deep.
const maxDepth = 512

// parseEnvelope splits body into the envelope's parts. Members other than
// value, @odata.nextLink, @adminapi.warnings and @adminapi.errors are
// skipped. Names match exactly, as OData's JSON format defines them and
// the service writes them: "Value" or "VALUE" is some other member, not
// the page (encoding/json's case-insensitive field matching would take
// it). A name spelled with escapes ("v\u0061lue") is the same JSON
// string, so it is compared decoded.
func parseEnvelope(body []byte) (*envelope, error) {
	env := &envelope{}
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, errors.New("the answer is not a JSON object")
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return env, trailing(body, i+1)
	}
	for {
		if i >= len(body) || body[i] != '"' {
			return nil, syntaxError(body, i, "a member name")
		}
		end, err := skipString(body, i)
		if err != nil {
			return nil, err
		}
		key := memberName(body[i:end])
		i = skipSpace(body, end)
		if i >= len(body) || body[i] != ':' {
			return nil, syntaxError(body, i, "':'")
		}
		i = skipSpace(body, i+1)
		start := i
		switch string(key) {
		case "value":
			if i, err = splitArray(body, i, &env.value); err != nil {
				return nil, fmt.Errorf("value: %w", err)
			}
		default:
			if i, err = skipValue(body, i, 0); err != nil {
				return nil, err
			}
			raw := body[start:i]
			switch string(key) {
			case "@odata.nextLink":
				if err := json.Unmarshal(raw, &env.next); err != nil {
					return nil, fmt.Errorf("@odata.nextLink: %w", err)
				}
			case "@adminapi.warnings":
				if err := json.Unmarshal(raw, &env.warnings); err != nil {
					return nil, fmt.Errorf("@adminapi.warnings: %w", err)
				}
			case "@adminapi.errors":
				if err := json.Unmarshal(raw, &env.errors); err != nil {
					return nil, fmt.Errorf("@adminapi.errors: %w", err)
				}
			}
		}
		i = skipSpace(body, i)
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
			continue
		}
		if i < len(body) && body[i] == '}' {
			return env, trailing(body, i+1)
		}
		return nil, syntaxError(body, i, "',' or '}'")
	}
}

// memberName is the name a quoted member name stands for. Names without
// a backslash, all the service writes, are used as they are, without a
// copy; others are decoded, and left as they are when they do not decode:
// the body is then not JSON, and the scanner does not judge what is inside
// strings (see above).
func memberName(quoted []byte) []byte {
	name := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(name, '\\') < 0 {
		return name
	}
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return name
	}
	return []byte(s)
}

// splitArray appends each element of the array at body[i] (or nothing for
// null) to out and returns the index after it.
func splitArray(body []byte, i int, out *[]json.RawMessage) (int, error) {
	if bytes.HasPrefix(body[i:], []byte("null")) {
		return i + 4, nil
	}
	if i >= len(body) || body[i] != '[' {
		return i, syntaxError(body, i, "an array")
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == ']' {
		return i + 1, nil
	}
	for {
		start := i
		end, err := skipValue(body, i, 1)
		if err != nil {
			return end, err
		}
		// A copy: an object a consumer keeps must not keep the whole
		// page's body alive.
		*out = append(*out, json.RawMessage(bytes.Clone(body[start:end])))
		i = skipSpace(body, end)
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
			continue
		}
		if i < len(body) && body[i] == ']' {
			return i + 1, nil
		}
		return i, syntaxError(body, i, "',' or ']'")
	}
}

// skipValue returns the index just after the JSON value at body[i].
func skipValue(body []byte, i, depth int) (int, error) {
	if i >= len(body) {
		return i, syntaxError(body, i, "a value")
	}
	switch c := body[i]; {
	case c == '"':
		return skipString(body, i)
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return i, fmt.Errorf("JSON nested more than %d levels", maxDepth)
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = skipSpace(body, i+1)
		if i < len(body) && body[i] == closer {
			return i + 1, nil
		}
		for {
			var err error
			if c == '{' {
				if i >= len(body) || body[i] != '"' {
					return i, syntaxError(body, i, "a member name")
				}
				if i, err = skipString(body, i); err != nil {
					return i, err
				}
				i = skipSpace(body, i)
				if i >= len(body) || body[i] != ':' {
					return i, syntaxError(body, i, "':'")
				}
				i = skipSpace(body, i+1)
			}
			if i, err = skipValue(body, i, depth+1); err != nil {
				return i, err
			}
			i = skipSpace(body, i)
			if i < len(body) && body[i] == ',' {
				i = skipSpace(body, i+1)
				continue
			}
			if i < len(body) && body[i] == closer {
				return i + 1, nil
			}
			return i, syntaxError(body, i, "',' or '"+string(closer)+"'")
		}
	case c == 't':
		return literal(body, i, "true")
	case c == 'f':
		return literal(body, i, "false")
	case c == 'n':
		return literal(body, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(body) {
			d := body[j]
			if !(d >= '0' && d <= '9' || d == '.' || d == 'e' || d == 'E' || d == '+' || d == '-') {
				break
			}
			j++
		}
		return j, nil
	}
	return i, syntaxError(body, i, "a value")
}

// skipString returns the index just after the string whose opening quote
// is at body[i].
func skipString(body []byte, i int) (int, error) {
	j := i + 1
	for {
		q := bytes.IndexByte(body[j:], '"')
		if q < 0 {
			return len(body), fmt.Errorf("unterminated string at offset %d", i)
		}
		q += j
		// The quote is escaped when an odd number of backslashes precede it.
		k := q - 1
		for k > i && body[k] == '\\' {
			k--
		}
		if (q-1-k)%2 == 0 {
			return q + 1, nil
		}
		j = q + 1
	}
}

func literal(body []byte, i int, word string) (int, error) {
	if !bytes.HasPrefix(body[i:], []byte(word)) {
		return i, syntaxError(body, i, "a value")
	}
	return i + len(word), nil
}

func skipSpace(body []byte, i int) int {
	for i < len(body) {
		switch body[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

func trailing(body []byte, i int) error {
	if i = skipSpace(body, i); i < len(body) {
		return syntaxError(body, i, "the end")
	}
	return nil
}

func syntaxError(body []byte, i int, want string) error {
	if i >= len(body) {
		return fmt.Errorf("unexpected end of JSON, want %s", want)
	}
	return fmt.Errorf("invalid character %q at offset %d, want %s", body[i], i, want)
}
