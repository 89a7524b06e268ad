package exceed

import (
	"crypto/rand"
	"fmt"
	"math/big"
)

// passwordLength is the length of generated passwords.
const passwordLength = 24

// The character classes of generated passwords: one of each, at least.
var passwordClasses = []string{
	"ABCDEFGHJKLMNPQRSTUVWXYZ",
	"abcdefghijkmnopqrstuvwxyz",
	"23456789",
	"!#$%*+-=?@^_",
}

// newPassword returns a random password from crypto/rand, with at least one
// character of each class, for users who will sign in through SSO or a
// password reset. It is sent once, never logged, kept or returned.
func newPassword() (string, error) {
	all := ""
	for _, class := range passwordClasses {
		all += class
	}
	pw := make([]byte, 0, passwordLength)
	for i := range passwordLength {
		set := all
		if i < len(passwordClasses) {
			set = passwordClasses[i]
		}
		c, err := randomChar(set)
		if err != nil {
			return "", err
		}
		pw = append(pw, c)
	}
	if err := shuffle(pw); err != nil {
		return "", err
	}
	return string(pw), nil
}

// randomChar returns a uniformly chosen byte of set.
func randomChar(set string) (byte, error) {
	n, err := randomInt(len(set))
	if err != nil {
		return 0, err
	}
	return set[n], nil
}

// shuffle permutes b uniformly (Fisher-Yates).
func shuffle(b []byte) error {
	for i := len(b) - 1; i > 0; i-- {
		j, err := randomInt(i + 1)
		if err != nil {
			return err
		}
		b[i], b[j] = b[j], b[i]
	}
	return nil
}

// randomInt returns a uniform integer in [0, n) from crypto/rand.
func randomInt(n int) (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("generate password: %w", err)
	}
	return int(v.Int64()), nil
}
