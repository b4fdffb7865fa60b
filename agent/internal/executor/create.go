package executor

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
	agentv1 "github.com/hrsync/hrsync/proto/gen/hrsync/agent/v1"
	"github.com/hrsync/hrsync/shared/direrr"
)

// createUser creates a user as one resumable unit. The add carries the
// random password and the final account state, so the user never exists
// enabled without a password and one write does what three would: an LDAP
// add is atomic. A DC that refuses the password in an add gets the classic
// unit instead: add disabled, set the password, enable if asked. A user that
// already has the match value is adopted: the steps it still lacks are done
// on it, so a retry after a failure at any step finishes the same object.
// When the cloud has checked the match itself (match_checked), the add goes
// first and the target DN is looked at only when the add finds it taken.
func (r *run) createUser(ctx context.Context, cu *agentv1.CreateUser) (agentv1.Outcome, []*agentv1.Entry, error) {
	attrs, err := attributes("create_user.attributes", cu.GetAttributes(), false)
	if err != nil {
		return 0, nil, err
	}
	matchAttr := matchAttribute(cu.GetMatch())
	if !hasAttr(attrs, matchAttr) {
		// Stamp the match value, or a retry could not find the object.
		attrs = append(attrs, attribute{name: matchAttr, values: []string{cu.GetMatch().GetValue()}})
	}
	readNames := names(attrs)
	length := r.e.cfg.PasswordLength
	if n := int(cu.GetPasswordLength()); n != 0 {
		length = max(n, minPasswordLength)
	}
	base := cu.GetBaseDn()
	if base == "" {
		base = r.dom.BaseDN
	}

	readAttrs := append([]string{attrPwdLastSet, attrSAM, attrDisplay}, readNames...)
	dn := ldapx.BuildDN(cu.GetCn(), cu.GetParentDn())
	if !cu.GetMatchChecked() {
		if out, entries, done, err := r.adoptByMatch(ctx, base, cu, length, readAttrs, readNames); done {
			return out, entries, err
		}
	}

	if err := r.addWithPassword(ctx, dn, attrs, cu, length); err != nil {
		c := direrr.CodeOf(err)
		if c == agentv1.ErrorCode_ERROR_CODE_ALREADY_EXISTS && cu.GetMatchChecked() {
			// The cloud saw no user with the match value when its cycle
			// began, so the add went first. A taken DN is most often
			// what an earlier attempt of this operation left there (a
			// base read, answered from the DN index); otherwise whoever
			// holds the match value decides.
			if out, entries, done, aerr := r.adoptAtDN(ctx, dn, cu, length, readAttrs, readNames); done {
				return out, entries, aerr
			}
			if out, entries, done, aerr := r.adoptByMatch(ctx, base, cu, length, readAttrs, readNames); done {
				return out, entries, aerr
			}
		}
		// A DC that will not take the password in the add (policy, or a
		// directory that does not allow it) gets the three-step unit: add
		// disabled, then finish sets the password and enables.
		if c != agentv1.ErrorCode_ERROR_CODE_CONSTRAINT_VIOLATION && c != agentv1.ErrorCode_ERROR_CODE_UNWILLING_TO_PERFORM {
			return 0, nil, fmt.Errorf("create user: %w", err)
		}
		add := ldap.NewAddRequest(dn, nil)
		add.Attribute("objectClass", []string{"user"})
		for _, a := range attrs {
			add.Attribute(a.name, a.values)
		}
		add.Attribute(attrUAC, []string{strconv.Itoa(uacNormalAccount | uacAccountDisable)})
		if err := r.conn.Add(ctx, add); err != nil {
			return 0, nil, fmt.Errorf("create user: %w", err)
		}
		r.log.DebugContext(ctx, "user added disabled", keyDN, dn)
	}

	// Read the new user back rather than assume its state: AD may have
	// adjusted userAccountControl, and the DN is returned as AD spells it.
	e, err := r.byDN(ctx, dn, append([]string{attrPwdLastSet, attrSAM, attrDisplay}, readNames...))
	if err != nil {
		return 0, nil, fmt.Errorf("create user: read back: %w", err)
	}
	entry, err := r.finish(ctx, e, cu.GetEnable(), length, readNames)
	if err != nil {
		return 0, nil, fmt.Errorf("create user: %w", err)
	}
	return agentv1.Outcome_OUTCOME_CREATED, []*agentv1.Entry{entry}, nil
}

// finish does the steps of a create that e still lacks and returns its
// entry as read afterwards. A disabled user that never had a password
// (pwdLastSet 0) gets one: that is the state a create leaves after its
// add. An enabled account is never given a new password, even when it
// must change it at next logon. Then the user is enabled if asked, keeping
// the other userAccountControl bits. Attributes and the DN are left alone:
// changing them is a ModifyUser.
func (r *run) finish(ctx context.Context, e *ldap.Entry, enable bool, length int, readNames []string) (*agentv1.Entry, error) {
	uac, ok := uacOf(e)
	if !ok {
		return nil, direrr.New(agentv1.ErrorCode_ERROR_CODE_INTERNAL, "%s has no userAccountControl", e.DN)
	}
	disabled := uac&uacAccountDisable != 0
	changed := false
	if disabled && e.GetEqualFoldAttributeValue(attrPwdLastSet) == "0" {
		sam, display := e.GetEqualFoldAttributeValue(attrSAM), e.GetEqualFoldAttributeValue(attrDisplay)
		if err := r.setPassword(ctx, e.DN, length, sam, display); err != nil {
			return nil, err
		}
		changed = true
	}
	if enable && disabled {
		if err := r.setUAC(ctx, e.DN, uac&^uacAccountDisable); err != nil {
			return nil, fmt.Errorf("enable: %w", err)
		}
		r.log.DebugContext(ctx, "user enabled", keyDN, e.DN)
		changed = true
	}
	if changed {
		var err error
		if e, err = r.byDN(ctx, e.DN, readNames); err != nil {
			return nil, fmt.Errorf("read back: %w", err)
		}
	}
	return toEntry(e, readNames)
}

// setUAC replaces userAccountControl of dn.
func (r *run) setUAC(ctx context.Context, dn string, uac int64) error {
	req := ldap.NewModifyRequest(dn, nil)
	req.Replace(attrUAC, []string{strconv.FormatInt(uac, 10)})
	return r.conn.Modify(ctx, req)
}

func hasAttr(attrs []attribute, name string) bool {
	for _, a := range attrs {
		if strings.EqualFold(a.name, name) {
			return true
		}
	}
	return false
}

// addWithPassword adds the user with its initial password and, when asked,
// enabled, in one atomic add. The password is never logged.
func (r *run) addWithPassword(ctx context.Context, dn string, attrs []attribute, cu *agentv1.CreateUser, length int) error {
	var sam, display string
	for _, a := range attrs {
		switch {
		case strings.EqualFold(a.name, attrSAM):
			sam = a.values[0]
		case strings.EqualFold(a.name, attrDisplay):
			display = a.values[0]
		}
	}
	r.e.randMu.Lock()
	pw, err := generatePassword(r.e.cfg.Rand, length, nameTokens(sam, display, cu.GetCn()))
	r.e.randMu.Unlock()
	if err != nil {
		return err
	}
	uac := uacNormalAccount
	if !cu.GetEnable() {
		uac |= uacAccountDisable
	}
	add := ldap.NewAddRequest(dn, nil)
	add.Attribute("objectClass", []string{"user"})
	for _, a := range attrs {
		add.Attribute(a.name, a.values)
	}
	add.Attribute("unicodePwd", []string{string(encodePassword(pw))})
	add.Attribute(attrUAC, []string{strconv.Itoa(uac)})
	if err := r.conn.Add(ctx, add); err != nil {
		return err
	}
	r.log.DebugContext(ctx, "user added with its initial password", keyDN, dn, "enabled", cu.GetEnable())
	return nil
}

// adoptAtDN adopts the user at dn when it holds the match value. done is
// false when dn holds no such user.
func (r *run) adoptAtDN(ctx context.Context, dn string, cu *agentv1.CreateUser, length int, readAttrs, readNames []string) (agentv1.Outcome, []*agentv1.Entry, bool, error) {
	atDN, err := r.search(ctx, dn, ldap.ScopeBaseObject, matchFilter(cu.GetMatch()), readAttrs)
	if err != nil && direrr.CodeOf(err) != agentv1.ErrorCode_ERROR_CODE_NO_SUCH_OBJECT {
		return 0, nil, true, fmt.Errorf("create user: look for %s match at %s: %w", matchAttribute(cu.GetMatch()), dn, err)
	}
	if len(atDN) != 1 {
		return 0, nil, false, nil
	}
	out, entries, err := r.adopt(ctx, atDN[0], cu, length, readNames)
	return out, entries, true, err
}

// adoptByMatch looks under base for a user holding the match value: one is
// adopted (an earlier attempt left it), several are ambiguous. done is
// false when there is none and the create goes on.
func (r *run) adoptByMatch(ctx context.Context, base string, cu *agentv1.CreateUser, length int, readAttrs, readNames []string) (agentv1.Outcome, []*agentv1.Entry, bool, error) {
	matchAttr := matchAttribute(cu.GetMatch())
	found, err := r.search(ctx, base, ldap.ScopeWholeSubtree, matchFilter(cu.GetMatch()), readAttrs)
	if err != nil {
		return 0, nil, true, fmt.Errorf("create user: look for %s match: %w", matchAttr, err)
	}
	switch len(found) {
	case 0:
		return 0, nil, false, nil
	case 1:
		out, entries, err := r.adopt(ctx, found[0], cu, length, readNames)
		return out, entries, true, err
	default:
		dns := make([]string, len(found))
		for i, e := range found {
			dns[i] = e.DN
		}
		return 0, nil, true, direrr.New(agentv1.ErrorCode_ERROR_CODE_AMBIGUOUS_MATCH,
			"create user: %d users under %s have the %s value: %s", len(found), base, matchAttr, strings.Join(dns, "; "))
	}
}

// adopt finishes a user an earlier attempt left.
func (r *run) adopt(ctx context.Context, e *ldap.Entry, cu *agentv1.CreateUser, length int, readNames []string) (agentv1.Outcome, []*agentv1.Entry, error) {
	entry, err := r.finish(ctx, e, cu.GetEnable(), length, readNames)
	if err != nil {
		return 0, nil, fmt.Errorf("create user: adopt: %w", err)
	}
	r.log.DebugContext(ctx, "user adopted", keyDN, entry.GetDn())
	return agentv1.Outcome_OUTCOME_ADOPTED, []*agentv1.Entry{entry}, nil
}
