package samlbearer

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/require"
)

func TestSignAndParseKey(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	pem8 := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	pem1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	for name, in := range map[string]string{"PKCS#8 PEM": pem8, "PKCS#1 PEM": pem1, "base64 of PEM": base64.StdEncoding.EncodeToString([]byte(pem8)),
		"base64 of DER": base64.StdEncoding.EncodeToString(pkcs8)} {
		got, err := ParsePrivateKey(in)
		require.NoError(t, err, name)
		require.True(t, got.Equal(key), name)
	}
	for in, want := range map[string]string{"": "is required", "not a key!": "neither PEM nor base64", base64.StdEncoding.EncodeToString([]byte("junk")): "not a PKCS#1 or PKCS#8"} {
		_, err := ParsePrivateKey(in)
		require.ErrorContains(t, err, want, in)
	}

	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	signed, err := Sign(key, nil, Assertion{ClientID: "api-key-1", User: "sfapi", TokenURL: "https://api4.successfactors.com/oauth/token", Now: now})
	require.NoError(t, err)
	raw, err := base64.StdEncoding.DecodeString(signed)
	require.NoError(t, err)
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(raw))
	root := doc.Root()
	text := func(path string) string {
		e := root.FindElement(path)
		require.NotNil(t, e, path)
		return strings.TrimSpace(e.Text())
	}
	require.Equal(t, "sfapi", text("./Subject/NameID"))
	require.Equal(t, Audience, text("./Conditions/AudienceRestriction/Audience"))
	require.Equal(t, "api-key-1", text("./AttributeStatement/Attribute/AttributeValue"))
	require.Equal(t, "2026-11-22T10:10:00Z", root.FindElement("./Conditions").SelectAttrValue("NotOnOrAfter", ""))
	require.NotNil(t, root.FindElement("./Signature/SignatureValue"), "signed enveloped")
}
