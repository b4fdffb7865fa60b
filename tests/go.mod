module github.com/hrsync/hrsync/tests

go 1.26.0

require (
	github.com/go-ldap/ldap/v3 v3.4.15
	github.com/hrsync/hrsync/cloud v0.0.0
	github.com/hrsync/hrsync/shared v0.0.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/Azure/go-ntlmssp v0.1.1 // indirect
	github.com/go-asn1-ber/asn1-ber v1.5.8 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/pgx/v5 v5.12.0 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.57.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/text v0.42.0 // indirect
)

replace github.com/hrsync/hrsync/proto => ../proto

replace github.com/hrsync/hrsync/shared => ../shared

replace github.com/hrsync/hrsync/cloud => ../cloud

replace github.com/hrsync/hrsync/agent => ../agent
