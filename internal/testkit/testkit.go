// Package testkit holds assertions that the project's tests share. It imports
// no package of the project, so any package's tests, internal ones included,
// can use it.
package testkit

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// RequirePanicIs asserts that f panics with an error that wraps target and,
// when want is not empty, whose message contains want. Programmer errors in
// this project panic that way (tensor.ErrShape, optim.ErrConfig).
func RequirePanicIs(t testing.TB, target error, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		require.NotNil(t, r, "no panic")
		err, ok := r.(error)
		require.True(t, ok, "panic value %T %v is not an error", r, r)
		require.True(t, errors.Is(err, target), "%v does not wrap %v", err, target)
		if want != "" {
			require.Contains(t, err.Error(), want)
		}
	}()
	f()
}
