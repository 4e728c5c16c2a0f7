// Command calculator evaluates arithmetic expressions.
//
// Usage:
//
//	calculator "2 * (3 + 4)"    # prints 14
//	echo "1.5 + 2" | calculator # one expression per line on stdin
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "calculator:", err)
		os.Exit(1)
	}
}

// run evaluates the arguments as a single expression, or, when there are
// none, each non-blank line of stdin. It stops at the first error.
func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) > 0 {
		return evalAndPrint(strings.Join(args, " "), stdout)
	}
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			if err := evalAndPrint(line, stdout); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

func evalAndPrint(expr string, w io.Writer) error {
	v, err := Eval(expr)
	if err != nil {
		return fmt.Errorf("%q: %w", expr, err)
	}
	_, err = fmt.Fprintln(w, strconv.FormatFloat(v, 'g', -1, 64))
	return err
}
