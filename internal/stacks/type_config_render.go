package stacks

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kilnhq/kiln/internal/pyfmt"
)

// Rendering of stored configs as Heat renders them: OS::Heat::CloudConfig's
// YAML (PyYAML's safe dump, block style, sorted keys, width 80) and
// OS::Heat::MultipartMime's message (Python's email.mime, compat32
// policy). Both work on the plain values a template resolves to: maps,
// lists, strings, bools, ints, floats and nil.

// # YAML

// pyYAMLDump is PyYAML's yaml.dump(v, Dumper=CSafeDumper), the libyaml
// emitter Heat's template_format uses when PyYAML has it (every packaged
// PyYAML does), with the defaults Heat uses (default_flow_style=False,
// sort_keys, width 80, no unicode): the emitter's indentation, quoting and
// line folding rules for the values a template can hold. Keys longer than
// 128 bytes or multi-line keys are written in the explicit "? key" form,
// as libyaml does. Where libyaml and PyYAML's pure-Python emitter differ
// (no "..." after a root scalar, an empty key stays simple, double-quoted
// text folds only at spaces) this follows libyaml; the tests were checked
// against yaml.dump with CSafeDumper (PyYAML 6.0).
func pyYAMLDump(v any) string {
	e := &yamlEmitter{indent: -1, whitespace: true, indention: true}
	e.node(v, true, false, false, false)
	e.writeIndent()
	return e.b.String()
}

const (
	yamlBestIndent = 2
	yamlBestWidth  = 80
)

type yamlEmitter struct {
	b          strings.Builder
	column     int
	indent     int // -1: none (PyYAML's None)
	indents    []int
	indention  bool
	whitespace bool
}

func (e *yamlEmitter) write(s string) {
	e.column += utf8.RuneCountInString(s)
	e.b.WriteString(s)
}

func (e *yamlEmitter) writeIndicator(ind string, needWhitespace, whitespace, indention bool) {
	if !e.whitespace && needWhitespace {
		ind = " " + ind
	}
	e.whitespace = whitespace
	e.indention = e.indention && indention
	e.write(ind)
}

func (e *yamlEmitter) writeLineBreak() {
	e.whitespace, e.indention = true, true
	e.column = 0
	e.b.WriteByte('\n')
}

func (e *yamlEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.writeLineBreak()
	}
	if e.column < indent {
		e.whitespace = true
		e.write(strings.Repeat(" ", indent-e.column))
	}
}

func (e *yamlEmitter) increaseIndent(flow, indentless bool) {
	e.indents = append(e.indents, e.indent)
	switch {
	case e.indent < 0 && flow:
		e.indent = yamlBestIndent
	case e.indent < 0:
		e.indent = 0
	case !indentless:
		e.indent += yamlBestIndent
	}
}

func (e *yamlEmitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1]
	e.indents = e.indents[:len(e.indents)-1]
}

// node is PyYAML's expect_node for one value.
func (e *yamlEmitter) node(v any, root, sequence, mapping, simpleKey bool) {
	_ = sequence
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			e.writeIndicator("{", true, true, false)
			e.writeIndicator("}", false, false, false)
			return
		}
		e.increaseIndent(false, false)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e.writeIndent()
			if yamlSimpleKey(k) {
				e.node(k, false, false, true, true)
				e.writeIndicator(":", false, false, false)
			} else {
				e.writeIndicator("?", true, false, true)
				e.node(k, false, false, true, false)
				e.writeIndent()
				e.writeIndicator(":", true, false, true)
			}
			e.node(x[k], false, false, true, false)
		}
		e.popIndent()
	case []any:
		if len(x) == 0 {
			e.writeIndicator("[", true, true, false)
			e.writeIndicator("]", false, false, false)
			return
		}
		e.increaseIndent(false, mapping && !e.indention)
		for _, item := range x {
			e.writeIndent()
			e.writeIndicator("-", true, false, true)
			e.node(item, false, true, false, false)
		}
		e.popIndent()
	default:
		text, isString := yamlScalarText(v)
		e.increaseIndent(true, false)
		style := ""
		if isString {
			style = yamlScalarStyle(text, simpleKey)
		}
		split := !simpleKey
		switch style {
		case `"`:
			e.writeDoubleQuoted([]rune(text), split)
		case "'":
			e.writeSingleQuoted([]rune(text), split)
		default:
			e.writePlain([]rune(text), split)
		}
		e.popIndent()
	}
}

// yamlScalarText is SafeRepresenter's text of a scalar and whether it
// is a string (other scalars are always plain).
func yamlScalarText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "null", false
	case string:
		return x, true
	case bool:
		if x {
			return "true", false
		}
		return "false", false
	case int:
		return strconv.Itoa(x), false
	case int64:
		return strconv.FormatInt(x, 10), false
	case float64:
		return yamlFloat(x), false
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			return s, false
		}
		f, err := x.Float64()
		if err != nil {
			return s, false
		}
		return yamlFloat(f), false
	}
	return pyfmt.Str(v), true
}

// yamlFloat is SafeRepresenter.represent_float.
func yamlFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	s := strings.ToLower(pyfmt.Float(f))
	if !strings.Contains(s, ".") && strings.Contains(s, "e") {
		s = strings.Replace(s, "e", ".0e", 1)
	}
	return s
}

func yamlSimpleKey(k string) bool {
	a := analyzeYAMLScalar(k)
	return len(k) <= 128 && !a.multiline
}

// yamlImplicit are SafeResolver's implicit tags other than str: a plain
// scalar matching one would not read back as a string.
var yamlImplicit = []*regexp.Regexp{
	regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`),
	regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`),
	regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`),
	regexp.MustCompile(`^(?:<<)$`),
	regexp.MustCompile(`^(?:~|null|Null|NULL|)$`),
	regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`),
	regexp.MustCompile(`^(?:=)$`),
}

// yamlScalarStyle is PyYAML's choose_scalar_style for a string: "" plain,
// "'" single-quoted or `"` double-quoted.
func yamlScalarStyle(s string, simpleKey bool) string {
	a := analyzeYAMLScalar(s)
	implicit := true
	for _, re := range yamlImplicit {
		if re.MatchString(s) {
			implicit = false
			break
		}
	}
	if implicit && !(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain {
		return ""
	}
	if a.allowSingleQuoted && !(simpleKey && a.multiline) {
		return "'"
	}
	return `"`
}

type yamlAnalysis struct {
	allowBlockPlain   bool
	allowSingleQuoted bool
	empty             bool
	multiline         bool
}

func isYAMLBreak(r rune) bool { return r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029 }

func isYAMLSpaceOrBreak(r rune) bool {
	return r == 0 || r == ' ' || r == '\t' || r == '\r' || isYAMLBreak(r)
}

// analyzeYAMLScalar is PyYAML's analyze_scalar, for block context and
// allow_unicode off.
func analyzeYAMLScalar(s string) yamlAnalysis {
	if s == "" {
		return yamlAnalysis{allowBlockPlain: true, allowSingleQuoted: true, empty: true}
	}
	rs := []rune(s)
	var blockIndicators, lineBreaks, special, leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockIndicators = true
	}
	precededByWS := true
	followedByWS := len(rs) == 1 || isYAMLSpaceOrBreak(rs[1])
	prevSpace, prevBreak := false, false
	for i, ch := range rs {
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", ch) {
				blockIndicators = true
			}
			if (ch == '?' || ch == ':') && followedByWS {
				blockIndicators = true
			}
			if ch == '-' && followedByWS {
				blockIndicators = true
			}
		} else {
			if ch == ':' && followedByWS {
				blockIndicators = true
			}
			if ch == '#' && precededByWS {
				blockIndicators = true
			}
		}
		if isYAMLBreak(ch) {
			lineBreaks = true
		}
		if !(ch == '\n' || (ch >= 0x20 && ch <= 0x7e)) {
			special = true // non-ASCII counts: allow_unicode is off
		}
		switch {
		case ch == ' ':
			leadingSpace = leadingSpace || i == 0
			trailingSpace = trailingSpace || i == len(rs)-1
			breakSpace = breakSpace || prevBreak
			prevSpace, prevBreak = true, false
		case isYAMLBreak(ch):
			leadingBreak = leadingBreak || i == 0
			trailingBreak = trailingBreak || i == len(rs)-1
			spaceBreak = spaceBreak || prevSpace
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		precededByWS = isYAMLSpaceOrBreak(ch)
		followedByWS = i+2 >= len(rs) || isYAMLSpaceOrBreak(rs[i+2])
	}
	a := yamlAnalysis{allowBlockPlain: true, allowSingleQuoted: true, multiline: lineBreaks}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.allowBlockPlain = false
	}
	if breakSpace {
		a.allowBlockPlain, a.allowSingleQuoted = false, false
	}
	if spaceBreak || special {
		a.allowBlockPlain, a.allowSingleQuoted = false, false
	}
	if lineBreaks || blockIndicators {
		a.allowBlockPlain = false
	}
	return a
}

func (e *yamlEmitter) writePlain(text []rune, split bool) {
	if len(text) == 0 {
		return
	}
	if !e.whitespace {
		e.write(" ")
	}
	e.whitespace, e.indention = false, false
	spaces := false
	start := 0
	for end := 0; end <= len(text); end++ {
		var ch rune = -1
		if end < len(text) {
			ch = text[end]
		}
		if spaces {
			if ch != ' ' {
				if start+1 == end && e.column > yamlBestWidth && split {
					e.writeIndent()
					e.whitespace, e.indention = false, false
				} else {
					e.write(string(text[start:end]))
				}
				start = end
			}
		} else if ch == -1 || ch == ' ' || isYAMLBreak(ch) {
			e.write(string(text[start:end]))
			start = end
		}
		if ch != -1 {
			spaces = ch == ' '
		}
	}
}

func (e *yamlEmitter) writeSingleQuoted(text []rune, split bool) {
	e.writeIndicator("'", true, false, false)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(text); end++ {
		var ch rune = -1
		if end < len(text) {
			ch = text[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && e.column > yamlBestWidth && split && start != 0 && end != len(text) {
					e.writeIndent()
				} else {
					e.write(string(text[start:end]))
				}
				start = end
			}
		case breaks:
			if ch == -1 || !isYAMLBreak(ch) {
				if text[start] == '\n' {
					e.writeLineBreak()
				}
				for range text[start:end] {
					e.writeLineBreak()
				}
				e.writeIndent()
				start = end
			}
		default:
			if ch == -1 || ch == ' ' || isYAMLBreak(ch) || ch == '\'' {
				if start < end {
					e.write(string(text[start:end]))
					start = end
				}
			}
		}
		if ch == '\'' {
			e.write("''")
			start = end + 1
		}
		if ch != -1 {
			spaces, breaks = ch == ' ', isYAMLBreak(ch)
		}
	}
	e.writeIndicator("'", false, false, false)
}

var yamlEscapes = map[rune]string{
	0: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0a: "n", 0x0b: "v", 0x0c: "f", 0x0d: "r", 0x1b: "e",
	'"': `"`, '\\': `\`, 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
}

func (e *yamlEmitter) writeDoubleQuoted(text []rune, split bool) {
	// libyaml's yaml_emitter_write_double_quoted_scalar: escapes as
	// PyYAML's, but a line is folded only at a space past the width (the
	// space is dropped; a "\\" keeps a following space).
	e.writeIndicator(`"`, true, false, false)
	spaces := false
	for i, ch := range text {
		switch {
		case ch == '"' || ch == '\\' || ch < 0x20 || ch > 0x7e:
			var esc string
			switch r, ok := yamlEscapes[ch]; {
			case ok:
				esc = `\` + r
			case ch <= 0xff:
				esc = fmt.Sprintf(`\x%02X`, ch)
			case ch <= 0xffff:
				esc = fmt.Sprintf(`\u%04X`, ch)
			default:
				esc = fmt.Sprintf(`\U%08X`, ch)
			}
			e.write(esc)
			spaces = false
		case ch == ' ':
			if split && !spaces && e.column > yamlBestWidth && i != 0 && i != len(text)-1 {
				e.writeIndent()
				if text[i+1] == ' ' {
					e.write(`\`)
				}
			} else {
				e.write(" ")
			}
			spaces = true
		default:
			e.write(string(ch))
			spaces = false
		}
	}
	e.writeIndicator(`"`, false, false, false)
}

// # MIME

// mimePart is one part of a multipart config: its text, subtype and
// filename.
type mimePart struct {
	filename string
	subtype  string
	text     string
}

// mimeBoundary is the boundary Python's email generator makes:
// "===============" + a 19-digit zero-padded number + "==". Python picks
// the number at random; Kiln derives it from seed (the config id), so a
// repeat renders the same bytes.
func mimeBoundary(seed [16]byte) string {
	var n uint64
	for _, b := range seed[:8] {
		n = n<<8 | uint64(b)
	}
	n &= math.MaxInt64 // random.randrange(sys.maxsize)
	return fmt.Sprintf("===============%019d==", n)
}

// multipartMessage is Python's MIMEMultipart(_subparts=...).as_string()
// for text parts: each part a MIMEText (us-ascii and 7bit when the text
// is ASCII, else utf-8 and base64), with a Content-Disposition attachment
// header when it has a filename. boundary is used unless it occurs as a
// delimiter line in the parts, when ".0", ".1", ... is appended to it as
// Python does.
func multipartMessage(parts []mimePart, boundary string) string {
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = mimeTextPart(p)
	}
	all := strings.Join(texts, "\n")
	b := boundary
	for n := 0; mimeHasDelimiter(all, b); n++ {
		b = boundary + "." + strconv.Itoa(n)
	}
	var sb strings.Builder
	sb.WriteString("Content-Type: multipart/mixed; boundary=\"" + b + "\"\nMIME-Version: 1.0\n\n")
	sb.WriteString("--" + b + "\n")
	for i, t := range texts {
		if i > 0 {
			sb.WriteString("\n--" + b + "\n")
		}
		sb.WriteString(t)
	}
	sb.WriteString("\n--" + b + "--\n")
	return sb.String()
}

func mimeHasDelimiter(text, boundary string) bool {
	for _, line := range strings.Split(text, "\n") {
		if line == "--"+boundary || line == "--"+boundary+"--" {
			return true
		}
	}
	return false
}

// mimeTextPart renders one MIMEText part as the generator writes it
// inside a multipart: headers, a blank line, the payload with its line
// endings made "\n".
func mimeTextPart(p mimePart) string {
	subtype := p.subtype
	if subtype == "" {
		subtype = "plain"
	}
	ascii := true
	for i := 0; i < len(p.text); i++ {
		if p.text[i] >= 0x80 {
			ascii = false
			break
		}
	}
	var sb strings.Builder
	charset, cte, body := "us-ascii", "7bit", p.text
	if !ascii {
		charset, cte, body = "utf-8", "base64", pyBase64Lines([]byte(p.text))
	}
	sb.WriteString("Content-Type: text/" + subtype + "; charset=\"" + charset + "\"\n")
	sb.WriteString("MIME-Version: 1.0\n")
	sb.WriteString("Content-Transfer-Encoding: " + cte + "\n")
	if p.filename != "" {
		sb.WriteString("Content-Disposition: attachment; " + mimeParam("filename", p.filename) + "\n")
	}
	sb.WriteString("\n")
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	sb.WriteString(body)
	return sb.String()
}

// mimeParam is email.message._formatparam with quote=True: a quoted
// value, or RFC 2231 (utf-8”) when it is not ASCII.
func mimeParam(name, value string) string {
	for i := 0; i < len(value); i++ {
		if value[i] >= 0x80 {
			var sb strings.Builder
			for j := 0; j < len(value); j++ {
				c := value[j]
				if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0) {
					sb.WriteByte(c)
				} else {
					fmt.Fprintf(&sb, "%%%02X", c)
				}
			}
			return name + "*=utf-8''" + sb.String()
		}
	}
	return name + `="` + strings.ReplaceAll(strings.ReplaceAll(value, `\`, `\\`), `"`, `\"`) + `"`
}

// pyBase64Lines is email.base64mime.body_encode: base64 in lines of 76
// characters, each ending "\n".
func pyBase64Lines(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		n := min(len(b), 57) // 57 bytes make 76 characters
		sb.WriteString(base64.StdEncoding.EncodeToString(b[:n]) + "\n")
		b = b[n:]
	}
	return sb.String()
}

// pySplitextRoot is os.path.splitext(p)[0]: p without its last
// extension (leading dots of the file name do not start one).
func pySplitextRoot(p string) string {
	base := p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		base = p[i+1:]
	}
	trimmed := strings.TrimLeft(base, ".")
	dot := strings.LastIndexByte(trimmed, '.')
	if dot < 0 {
		return p
	}
	return p[:len(p)-(len(trimmed)-dot)]
}

// splitMultipart is the part of email.message_from_string Heat uses for
// a "multipart" part: the parts of a multipart message (payload as
// written, subtype, filename), or nothing when the text is not one.
func splitMultipart(text string) []mimePart {
	msg, err := mail.ReadMessage(strings.NewReader(text))
	if err != nil {
		return nil
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") || params["boundary"] == "" {
		return nil
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var out []mimePart
	for {
		p, err := r.NextRawPart()
		if err != nil {
			return out
		}
		var sb strings.Builder
		buf := make([]byte, 4096)
		for {
			n, rerr := p.Read(buf)
			sb.Write(buf[:n])
			if rerr != nil {
				break
			}
		}
		subtype := "plain"
		if ct, _, err := mime.ParseMediaType(p.Header.Get("Content-Type")); err == nil {
			if i := strings.IndexByte(ct, '/'); i >= 0 {
				subtype = ct[i+1:]
			}
		}
		filename := ""
		if _, dp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil {
			filename = dp["filename"]
		}
		if filename == "" {
			if _, cp, err := mime.ParseMediaType(p.Header.Get("Content-Type")); err == nil {
				filename = cp["name"]
			}
		}
		out = append(out, mimePart{filename: filename, subtype: subtype, text: sb.String()})
	}
}
