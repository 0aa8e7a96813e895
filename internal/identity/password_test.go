package identity

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHashPassword(t *testing.T) {
	t.Parallel()

	t.Run("PHCFormat", func(t *testing.T) {
		t.Parallel()
		h, err := HashPassword("pw")
		require.NoError(t, err)
		require.Regexp(t, regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`), h)
	})

	t.Run("SaltsDiffer", func(t *testing.T) {
		t.Parallel()
		a, err := HashPassword("pw")
		require.NoError(t, err)
		b, err := HashPassword("pw")
		require.NoError(t, err)
		require.NotEqual(t, a, b)
	})

	t.Run("TooLong", func(t *testing.T) {
		t.Parallel()
		_, err := HashPassword(strings.Repeat("x", maxPasswordLen+1))
		require.Error(t, err)
	})

	t.Run("Verify", func(t *testing.T) {
		t.Parallel()
		h, err := HashPassword("correct horse")
		require.NoError(t, err)
		ok, outdated, err := VerifyPassword(h, "correct horse")
		require.NoError(t, err)
		require.True(t, ok)
		require.False(t, outdated)
		ok, _, err = VerifyPassword(h, "correct horse ")
		require.NoError(t, err)
		require.False(t, ok)
	})

	t.Run("VerifyOldParametersReportsOutdated", func(t *testing.T) {
		t.Parallel()
		h := hashWith(kdfParams{memory: 64, time: 1, threads: 1}, []byte("0123456789abcdef"), "pw")
		ok, outdated, err := VerifyPassword(h, "pw")
		require.NoError(t, err)
		require.True(t, ok)
		require.True(t, outdated)
	})

	t.Run("DummyHashNeverMatches", func(t *testing.T) {
		t.Parallel()
		ok, outdated, err := VerifyPassword(newDummyHash(), "")
		require.NoError(t, err)
		require.False(t, ok)
		require.False(t, outdated)
	})
}

func TestVerifyPasswordMalformed(t *testing.T) {
	t.Parallel()
	const salt, key = "MDEyMzQ1Njc4OWFiY2RlZg", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	tests := []struct {
		name    string
		encoded string
	}{
		{"BadBase64", "$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key},
		{"Bcrypt", "$2a$10$abcdefghijklmnopqrstuv"},
		{"Empty", ""},
		{"HugeMemory", "$argon2id$v=19$m=99999999,t=2,p=1$" + salt + "$" + key},
		{"ManyPasses", "$argon2id$v=19$m=19456,t=999,p=1$" + salt + "$" + key},
		{"ShortKey", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$AAAA"},
		{"WrongVariant", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
		{"WrongVersion", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key},
		{"ZeroThreads", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, _, err := VerifyPassword(tt.encoded, "pw")
			require.ErrorIs(t, err, errMalformedHash)
			require.False(t, ok)
		})
	}
}

func TestIDs(t *testing.T) {
	t.Parallel()
	require.True(t, IsID(NewID()))
	require.NotEqual(t, NewID(), NewID())
	require.Len(t, newAuditID(), 22)
	require.Regexp(t, `^[A-Za-z0-9_-]{22}$`, newAuditID())
	for _, bad := range []string{"", "3191ED366402414BB8C3AE98A9DECEE9", "3191ed36-6402-414b-b8c3-ae98a9decee9", "3191ed366402414bb8c3ae98a9decee", "g191ed366402414bb8c3ae98a9decee9"} {
		require.False(t, IsID(bad), bad)
	}
	require.True(t, IsID("3191ed366402414bb8c3ae98a9decee9"))
}

func TestRandomString(t *testing.T) {
	t.Parallel()
	s := randomString(upperAlnum, accessKeyLen)
	require.Regexp(t, `^[A-Z0-9]{20}$`, s)
	require.Regexp(t, `^[A-Za-z0-9]{40}$`, randomString(alnum, secretKeyLen))
}

func TestValidateKeyText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		text      string
		forbidden string
		ok        bool
	}{
		{"Comma", "AK,X", signatureDelimiters, false},
		{"Empty", "", "", false},
		{"EqualsInAPIKey", "ZXhhbXBsZTpmb28=", "", true},
		{"EqualsInAccessKey", "AK=X", signatureDelimiters, false},
		{"NonASCII", "clé", "", false},
		{"Plain", "HPUAXXXXXXXXXXXXXXXX", signatureDelimiters, true},
		{"Slash", "wJalrXUtnFEMI/K7MDENG", "", true},
		{"Space", "a b", "", false},
		{"TooLong", strings.Repeat("a", maxAccessLen+1), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := validateKeyText("test", "key", tt.text, maxAccessLen, tt.forbidden)
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}
