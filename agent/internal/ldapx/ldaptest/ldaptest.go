// Package ldaptest provides Conn, a hand-written fake of ldapx.Conn for
// unit tests. Each method calls the matching func field; a nil field fails
// the call, so a test states exactly which LDAP calls it expects.
//
//	conn := &ldaptest.Conn{
//		SearchFunc: func(ctx context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
//			return &ldap.SearchResult{}, nil
//		},
//	}
package ldaptest

import (
	"context"
	"fmt"

	"github.com/go-ldap/ldap/v3"

	"github.com/hrsync/hrsync/agent/internal/ldapx"
)

// Conn is a func-field fake of ldapx.Conn. Its zero value fails every call
// but Close.
type Conn struct {
	SearchFunc      func(ctx context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error)
	SearchPagesFunc func(ctx context.Context, req *ldap.SearchRequest, pageSize uint32, page func([]*ldap.Entry, bool) error) error
	AddFunc         func(ctx context.Context, req *ldap.AddRequest) error
	ModifyFunc      func(ctx context.Context, req *ldap.ModifyRequest) error
	ModifyDNFunc    func(ctx context.Context, req *ldap.ModifyDNRequest) error
	DelFunc         func(ctx context.Context, req *ldap.DelRequest) error
	CloseFunc       func() error
}

var _ ldapx.Conn = (*Conn)(nil)

func (c *Conn) Search(ctx context.Context, req *ldap.SearchRequest) (*ldap.SearchResult, error) {
	if c.SearchFunc == nil {
		return nil, unexpected("Search", req.BaseDN+" "+req.Filter)
	}
	return c.SearchFunc(ctx, req)
}

func (c *Conn) SearchPages(ctx context.Context, req *ldap.SearchRequest, pageSize uint32, page func([]*ldap.Entry, bool) error) error {
	if c.SearchPagesFunc == nil {
		return unexpected("SearchPages", req.BaseDN+" "+req.Filter)
	}
	return c.SearchPagesFunc(ctx, req, pageSize, page)
}

func (c *Conn) Add(ctx context.Context, req *ldap.AddRequest) error {
	if c.AddFunc == nil {
		return unexpected("Add", req.DN)
	}
	return c.AddFunc(ctx, req)
}

func (c *Conn) Modify(ctx context.Context, req *ldap.ModifyRequest) error {
	if c.ModifyFunc == nil {
		return unexpected("Modify", req.DN)
	}
	return c.ModifyFunc(ctx, req)
}

func (c *Conn) ModifyDN(ctx context.Context, req *ldap.ModifyDNRequest) error {
	if c.ModifyDNFunc == nil {
		return unexpected("ModifyDN", req.DN)
	}
	return c.ModifyDNFunc(ctx, req)
}

func (c *Conn) Del(ctx context.Context, req *ldap.DelRequest) error {
	if c.DelFunc == nil {
		return unexpected("Del", req.DN)
	}
	return c.DelFunc(ctx, req)
}

func (c *Conn) Close() error {
	if c.CloseFunc == nil {
		return nil
	}
	return c.CloseFunc()
}

func unexpected(method, what string) error {
	return fmt.Errorf("ldaptest: unexpected call %s(%s)", method, what)
}
