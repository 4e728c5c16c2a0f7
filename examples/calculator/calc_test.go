package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestEval(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"42", 42},
		{"2 * (3 + 4)", 14},
		{"2 + 3 * 4", 14},
		{"100 / 10 / 5", 2},
		{"-3", -3},
		{"--3", 3},
		{"-(2 + 3) * 2", -10},
		{"2 * -3", -6},
		{"+1.5", 1.5},
		{"0.25 + 0.5", 0.75},
		{".5 * 4", 2},
		{"7 / 2", 3.5},
		{"  ((1))  ", 1},
	}
	for _, tt := range tests {
		got, err := Eval(tt.in)
		if err != nil {
			t.Errorf("Eval(%q) error: %v", tt.in, err)
		} else if got != tt.want {
			t.Errorf("Eval(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{"", "at position 1: unexpected end of expression"},
		{"1 +", "at position 4: unexpected end of expression"},
		{"(1 + 2", "at position 7: expected ')'"},
		{"1 + 2)", "at position 6: unexpected ')'"},
		{"2 x 3", "at position 3: unexpected 'x'"},
		{"1.2.3", "at position 1: invalid number \"1.2.3\""},
		{"1 / 0", "at position 5: division by zero"},
	}
	for _, tt := range tests {
		_, err := Eval(tt.in)
		if err == nil || err.Error() != tt.wantErr {
			t.Errorf("Eval(%q) error = %v, want %q", tt.in, err, tt.wantErr)
		}
	}
	if _, err := Eval("1/0"); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("Eval(\"1/0\") error = %v, want ErrDivisionByZero", err)
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		args    []string
		stdin   string
		want    string
		wantErr bool
	}{
		{args: []string{"2 * (3 + 4)"}, want: "14\n"},
		{args: []string{"1", "+", "2"}, want: "3\n"},
		{stdin: "1 + 1\n\n3 / 4\n", want: "2\n0.75\n"},
		{stdin: "1\n1/0\n2\n", want: "1\n", wantErr: true},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := run(tt.args, strings.NewReader(tt.stdin), &out)
		if (err != nil) != tt.wantErr || out.String() != tt.want {
			t.Errorf("run(%q, %q) = %q, %v; want %q, error %v",
				tt.args, tt.stdin, out.String(), err, tt.want, tt.wantErr)
		}
	}
}
