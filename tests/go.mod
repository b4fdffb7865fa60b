module github.com/hrsync/hrsync/tests

go 1.26.0

require (
	github.com/go-ldap/ldap/v3 v3.4.15
	github.com/hrsync/hrsync/shared v0.0.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/Azure/go-ntlmssp v0.1.1 // indirect
	github.com/go-asn1-ber/asn1-ber v1.5.8 // indirect
	github.com/google/uuid v1.6.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.57.0 // indirect
)

replace github.com/hrsync/hrsync/proto => ../proto

replace github.com/hrsync/hrsync/shared => ../shared

replace github.com/hrsync/hrsync/cloud => ../cloud

replace github.com/hrsync/hrsync/agent => ../agent
