package yaql

import (
	"strconv"
)

// MaxNesting bounds how deeply an expression may nest (parentheses,
// calls, operators), so parsing and evaluation cannot exhaust the stack.
const MaxNesting = 100

// The expression tree. Every node is one of these types.
type (
	constNode   struct{ v any }           // 1, 1.5, 'a', true, null
	keywordNode struct{ name string }     // a bare name: used as a string, an attribute or a named argument
	varNode     struct{ name string }     // $, $x, $1 (normalised: "$" is "$1")
	wrapNode    struct{ x node }          // ( x )
	listNode    struct{ items []node }    // [a, b]
	mapNode     struct{ items []node }    // {a => 1}
	pairNode    struct{ key, value node } // a => b, inside arguments
	noValueNode struct{}                  // an empty argument slot: f(, 1)
	indexNode   struct {
		x    node
		args []node
	} // x[a] or x[a, default]
	callNode struct { // f(args)
		name string
		args []node
	}
	binaryNode struct {
		op   string
		l, r node
	}
	unaryNode struct {
		op string
		x  node
	}
)

type node any

// binaryPrec is yaql's operator table: a higher number binds tighter.
// "->" is right associative, every other binary operator left.
var binaryPrec = map[string]int{
	"->": 1, "or": 2, "and": 3,
	">": 5, "<": 5, ">=": 5, "<=": 5, "!=": 5, "=": 5, "in": 5,
	"+": 6, "-": 6, "*": 7, "/": 7, "mod": 7, "=~": 8, "!~": 8,
	"[": 10, ".": 11, "?.": 11,
}

// Prefix operators bind their operand at these levels: unary + and -
// take what binds tighter than them (indexers and dots), not takes
// comparisons and tighter.
const (
	precUnary = 10
	precNot   = 5
)

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

// Expression is a parsed YAQL expression; it is immutable and safe for
// concurrent use.
type Expression struct {
	src  string
	root node
}

// String returns the source text.
func (e *Expression) String() string { return e.src }

// Parse parses a YAQL expression. Its errors are *Error values whose
// text is yaql's ("Parse error: unexpected ')' at position 3 of
// expression '...'", "Lexical error: illegal character '#' at position 0").
func Parse(src string) (*Expression, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	root, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, p.unexpected()
	}
	return &Expression{src: src, root: root}, nil
}

func (p *parser) peek() (token, bool) {
	if p.i >= len(p.toks) {
		return token{kind: tokEOF}, false
	}
	return p.toks[p.i], true
}

func (p *parser) unexpected() error {
	t, ok := p.peek()
	if !ok {
		return &Error{Msg: "Parse error: unexpected end of statement"}
	}
	return &Error{Msg: "Parse error: unexpected '" + t.display() + "' at position " + strconv.Itoa(t.pos) + " of expression '" + p.src + "'"}
}

func (p *parser) is(kind tokenKind, text string) bool {
	t, ok := p.peek()
	return ok && t.kind == kind && t.text == text
}

func (p *parser) expr(minPrec int) (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxNesting {
		return nil, &Error{Msg: "Parse error: expression is nested deeper than " + strconv.Itoa(MaxNesting) + " levels"}
	}
	left, err := p.prefix()
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || t.kind != tokOp {
			return left, nil
		}
		prec, isBinary := binaryPrec[t.text]
		if !isBinary || prec < minPrec {
			return left, nil
		}
		p.i++
		switch t.text {
		case "[":
			args, err := p.args("]")
			if err != nil {
				return nil, err
			}
			left = &indexNode{x: left, args: args}
			continue
		case "->":
			right, err := p.expr(prec)
			if err != nil {
				return nil, err
			}
			left = &binaryNode{op: t.text, l: left, r: right}
			continue
		}
		right, err := p.expr(prec + 1)
		if err != nil {
			return nil, err
		}
		left = &binaryNode{op: t.text, l: left, r: right}
	}
}

func (p *parser) prefix() (node, error) {
	t, ok := p.peek()
	if !ok {
		return nil, p.unexpected()
	}
	switch t.kind {
	case tokNumber:
		p.i++
		return &constNode{v: t.num}, nil
	case tokString:
		p.i++
		return &constNode{v: t.text}, nil
	case tokTrue, tokFalse, tokNull:
		p.i++
		return &constNode{v: map[tokenKind]any{tokTrue: true, tokFalse: false, tokNull: nil}[t.kind]}, nil
	case tokKeyword:
		p.i++
		return &keywordNode{name: t.text}, nil
	case tokDollar:
		p.i++
		name := t.text
		if name == "$" {
			name = "$1"
		}
		return &varNode{name: name}, nil
	case tokFunc:
		p.i++
		args, err := p.args(")")
		if err != nil {
			return nil, err
		}
		return &callNode{name: t.text, args: args}, nil
	case tokPunct:
		if t.text == "(" {
			p.i++
			x, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			if !p.is(tokPunct, ")") {
				return nil, p.unexpected()
			}
			p.i++
			return &wrapNode{x: x}, nil
		}
	case tokOp:
		switch t.text {
		case "-", "+", "not":
			p.i++
			prec := precUnary
			if t.text == "not" {
				prec = precNot
			}
			x, err := p.expr(prec)
			if err != nil {
				return nil, err
			}
			return &unaryNode{op: t.text, x: x}, nil
		case "[", "{":
			p.i++
			closer := map[string]string{"[": "]", "{": "}"}[t.text]
			args, err := p.args(closer)
			if err != nil {
				return nil, err
			}
			if t.text == "[" {
				return &listNode{items: args}, nil
			}
			return &mapNode{items: args}, nil
		}
	}
	return nil, p.unexpected()
}

// args parses an argument list up to closer: positional values, then
// named ones (name => value); an empty slot is a noValueNode.
func (p *parser) args(closer string) ([]node, error) {
	var out []node
	if p.is(tokPunct, closer) {
		p.i++
		return out, nil
	}
	named := false
	for {
		if p.is(tokPunct, ",") {
			if named {
				return nil, p.unexpected()
			}
			out = append(out, &noValueNode{})
			p.i++
			continue
		}
		v, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if t, ok := p.peek(); ok && t.kind == tokMapping {
			p.i++
			w, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			v = &pairNode{key: v, value: w}
			named = true
		} else if named {
			return nil, p.unexpected()
		}
		out = append(out, v)
		if p.is(tokPunct, ",") {
			p.i++
			if p.is(tokPunct, closer) {
				if named {
					return nil, p.unexpected()
				}
				out = append(out, &noValueNode{})
				p.i++
				return out, nil
			}
			continue
		}
		if p.is(tokPunct, closer) {
			p.i++
			return out, nil
		}
		return nil, p.unexpected()
	}
}
