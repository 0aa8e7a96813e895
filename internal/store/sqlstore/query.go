package sqlstore

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// Query text lives in queries/<noun>.sql, one statement per "-- name: X"
// header, and is the same for SQLite and PostgreSQL: both accept $1-style
// placeholders, RETURNING and ON CONFLICT. A statement whose shape depends
// on its parameters (optional filters, IN lists) is a text/template: it
// calls {{.Arg value}} for each parameter, which binds the value and prints
// its placeholder, and reads the params struct as .P.

//go:embed queries/*.sql
var queryFS embed.FS

var queryTexts = mustParseQueries(queryFS)

// mustParseQueries reads every embedded .sql file into name -> text. A
// malformed file is a programmer error.
func mustParseQueries(fsys fs.FS) map[string]string {
	texts := make(map[string]string)
	paths, err := fs.Glob(fsys, "queries/*.sql")
	if err != nil {
		panic(err)
	}
	for _, path := range paths {
		data, err := fs.ReadFile(fsys, path)
		if err != nil {
			panic(err)
		}
		if err := parseQueryFile(texts, string(data)); err != nil {
			panic(fmt.Sprintf("sqlstore: %s: %v", path, err))
		}
	}
	return texts
}

// parseQueryFile splits one file on its "-- name: X" headers. Text before
// the first header is ignored (file comments), and so are the comment and
// blank lines that end a query's body, so a comment placed above a header
// documents the query below it; a trailing semicolon is dropped.
func parseQueryFile(texts map[string]string, data string) error {
	const header = "-- name:"

	var (
		name string
		body strings.Builder
	)
	flush := func() error {
		if name == "" {
			return nil
		}
		lines := strings.Split(strings.TrimSpace(body.String()), "\n")
		for len(lines) > 0 {
			last := strings.TrimSpace(lines[len(lines)-1])
			if last != "" && !strings.HasPrefix(last, "--") {
				break
			}
			lines = lines[:len(lines)-1]
		}
		text := strings.TrimSuffix(strings.TrimSpace(strings.Join(lines, "\n")), ";")
		if text == "" {
			return fmt.Errorf("query %s is empty", name)
		}
		if _, ok := texts[name]; ok {
			return fmt.Errorf("query %s defined twice", name)
		}
		texts[name] = text
		body.Reset()
		return nil
	}
	for line := range strings.Lines(data) {
		if rest, ok := strings.CutPrefix(line, header); ok {
			if err := flush(); err != nil {
				return err
			}
			name = strings.TrimSpace(rest)
			continue
		}
		if name != "" {
			body.WriteString(line)
		}
	}
	return flush()
}

// queryText returns a static statement; it panics on an unknown name so
// that a typo fails at start-up.
func queryText(name string) string {
	text, ok := queryTexts[name]
	if !ok {
		panic("sqlstore: no query named " + name)
	}
	if strings.Contains(text, "{{") {
		panic("sqlstore: query " + name + " is a template; use queryTemplate")
	}
	return text
}

// StaticQueries returns the text of every statement that is not a
// template, for a backend that prepares statements ahead of use.
func StaticQueries() []string {
	var texts []string
	for _, text := range queryTexts {
		if !strings.Contains(text, "{{") {
			texts = append(texts, text)
		}
	}
	slices.Sort(texts)
	return texts
}

// queryTemplate returns a statement built per call from its params.
func queryTemplate(name string) *template.Template {
	text, ok := queryTexts[name]
	if !ok {
		panic("sqlstore: no query named " + name)
	}
	return template.Must(template.New(name).Option("missingkey=error").Parse(text))
}

// queryData is the dot of a query template.
type queryData struct {
	P       any
	args    []any
	dialect string
}

// Arg binds v and returns its placeholder.
func (d *queryData) Arg(v any) string {
	d.args = append(d.args, v)
	return "$" + strconv.Itoa(len(d.args))
}

// In binds each of vs and returns the parenthesised list of their
// placeholders, for "x IN {{.In .P.Xs}}".
func (d *queryData) In(vs []string) string {
	var sb strings.Builder
	sb.WriteByte('(')
	for i, v := range vs {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(d.Arg(v))
	}
	sb.WriteByte(')')
	return sb.String()
}

// Collate returns the clause that makes an expression order byte by byte:
// PostgreSQL's default collation follows the locale, SQLite's (BINARY)
// already is bytes.
func (d *queryData) Collate() string {
	if d.dialect == "postgres" {
		return ` COLLATE "C"`
	}
	return ""
}

// render executes a query template with params and returns the statement
// and its arguments.
func render(tmpl *template.Template, params any) (string, []any, error) {
	return renderFor("", tmpl, params)
}

// renderFor is render for a database dialect ("sqlite", "postgres"), for
// templates whose text differs between them.
func renderFor(dialect string, tmpl *template.Template, params any) (string, []any, error) {
	data := &queryData{P: params, dialect: dialect}
	var sb strings.Builder
	if err := tmpl.Execute(&sb, data); err != nil {
		return "", nil, fmt.Errorf("render %s: %w", tmpl.Name(), err)
	}
	return sb.String(), data.args, nil
}
