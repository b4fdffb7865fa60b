//go:build windows

package credstore

import (
	"fmt"
	"slices"
	"unsafe"

	"golang.org/x/sys/windows"
)

const fileSuffix = ".dpapi"

// entropy binds sealed blobs to hrsync: another program on the machine
// calling CryptUnprotectData without it gets nothing.
var entropy = []byte("hrsync-agent domain credentials v1")

// privateSDDL grants full control to SYSTEM and Administrators only, with
// inheritance from the parent directory cut.
const privateSDDL = "D:P(A;;FA;;;SY)(A;;FA;;;BA)"

func blob(b []byte) *windows.DataBlob {
	if len(b) == 0 {
		return &windows.DataBlob{}
	}
	return &windows.DataBlob{Size: uint32(len(b)), Data: &b[0]}
}

// seal encrypts with DPAPI in machine scope, so the service account (not
// only the admin who ran "credentials set") can unseal it; the file ACL
// keeps other users away from the blob.
func seal(plain []byte) ([]byte, error) {
	var out windows.DataBlob
	if err := windows.CryptProtectData(blob(plain), nil, blob(entropy), 0, nil,
		windows.CRYPTPROTECT_UI_FORBIDDEN|windows.CRYPTPROTECT_LOCAL_MACHINE, &out); err != nil {
		return nil, fmt.Errorf("CryptProtectData: %w", err)
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return slices.Clone(unsafe.Slice(out.Data, out.Size)), nil
}

func unseal(sealed []byte) ([]byte, error) {
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(blob(sealed), nil, blob(entropy), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, fmt.Errorf("CryptUnprotectData: %w", err)
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return slices.Clone(unsafe.Slice(out.Data, out.Size)), nil
}

// Restrict limits path's ACL to SYSTEM and Administrators.
func Restrict(path string) error {
	sd, err := windows.SecurityDescriptorFromString(privateSDDL)
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	return windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
}

// CheckPrivate is a no-op on Windows: Set restricts the ACL and DPAPI
// protects the content.
func CheckPrivate(path string) error { return nil }
