package main

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrDivisionByZero is returned when an expression divides by zero.
var ErrDivisionByZero = errors.New("division by zero")

// Eval evaluates an arithmetic expression with + - * /, parentheses,
// unary minus and decimal numbers, using the usual precedence rules.
//
// Grammar:
//
//	expr    = term { ("+" | "-") term }
//	term    = unary { ("*" | "/") unary }
//	unary   = ("-" | "+") unary | primary
//	primary = number | "(" expr ")"
func Eval(input string) (float64, error) {
	p := &parser{src: input}
	v, err := p.expr()
	if err != nil {
		return 0, err
	}
	if p.skipSpace(); p.pos < len(p.src) {
		return 0, p.errorf("unexpected %q", p.src[p.pos])
	}
	return v, nil
}

type parser struct {
	src string
	pos int
}

// errorf reports an error at the current (1-based) position in the input.
func (p *parser) errorf(format string, args ...interface{}) error {
	return fmt.Errorf("at position %d: "+format, append([]interface{}{p.pos + 1}, args...)...)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

// accept consumes c if it is the next non-space byte.
func (p *parser) accept(c byte) bool {
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expr() (float64, error) {
	v, err := p.term()
	for err == nil {
		var r float64
		switch {
		case p.accept('+'):
			r, err = p.term()
			v += r
		case p.accept('-'):
			r, err = p.term()
			v -= r
		default:
			return v, nil
		}
	}
	return 0, err
}

func (p *parser) term() (float64, error) {
	v, err := p.unary()
	for err == nil {
		var r float64
		switch {
		case p.accept('*'):
			r, err = p.unary()
			v *= r
		case p.accept('/'):
			p.skipSpace()
			at := p.pos
			if r, err = p.unary(); err == nil && r == 0 {
				p.pos = at
				err = p.errorf("%w", ErrDivisionByZero)
			}
			v /= r
		default:
			return v, nil
		}
	}
	return 0, err
}

func (p *parser) unary() (float64, error) {
	if p.accept('-') {
		v, err := p.unary()
		return -v, err
	}
	if p.accept('+') {
		return p.unary()
	}
	return p.primary()
}

func (p *parser) primary() (float64, error) {
	p.skipSpace()
	if p.accept('(') {
		v, err := p.expr()
		if err != nil {
			return 0, err
		}
		if !p.accept(')') {
			return 0, p.errorf("expected ')'")
		}
		return v, nil
	}
	start := p.pos
	for p.pos < len(p.src) && (isDigit(p.src[p.pos]) || p.src[p.pos] == '.') {
		p.pos++
	}
	if start == p.pos {
		if p.pos == len(p.src) {
			return 0, p.errorf("unexpected end of expression")
		}
		return 0, p.errorf("unexpected %q", p.src[p.pos])
	}
	lit := p.src[start:p.pos]
	v, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		p.pos = start
		return 0, p.errorf("invalid number %q", lit)
	}
	return v, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
