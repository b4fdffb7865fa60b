package cli

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/cloud/internal/engine"
	"github.com/hrsync/hrsync/cloud/internal/hrsim/rehearsal"
	"github.com/hrsync/hrsync/cloud/internal/mapping"
	"github.com/hrsync/hrsync/cloud/internal/source"
	"github.com/hrsync/hrsync/cloud/internal/store"
	"github.com/hrsync/hrsync/cloud/internal/store/sqlite"
)

func TestConnectorSettings(t *testing.T) {
	reg, err := connectors()
	require.NoError(t, err)
	require.Contains(t, reg.Names(), "successfactors")

	t.Setenv("SF_PASSWORD", "s3cret")
	good := []byte(`{"baseUrl":"https://api4.successfactors.com","companyId":"ACME","username":"sfapi","password":"env:SF_PASSWORD"}`)
	require.NoError(t, reg.Validate("successfactors", good))
	for name, bad := range map[string]struct{ config, want string }{
		"unknown field":     {`{"baseUrl":"x","companyId":"A","username":"u","password":"p","tenant":"x"}`, `unknown field "tenant"`},
		"missing company":   {`{"baseUrl":"https://api4.successfactors.com","username":"u","password":"p"}`, "CompanyID"},
		"unset environment": {`{"baseUrl":"https://x","companyId":"A","username":"u","password":"env:NOPE_NOT_SET"}`, "NOPE_NOT_SET is not set"},
		"not JSON":          {`{`, "source config"},
	} {
		err := reg.Validate("successfactors", []byte(bad.config))
		require.ErrorContains(t, err, bad.want, name)
	}

	inline := []byte(`{"baseUrl":"https://api4.successfactors.com","companyId":"ACME","username":"sfapi","password":"hunter2"}`)
	red, err := reg.Redact("successfactors", inline)
	require.NoError(t, err)
	require.NotContains(t, string(red), "hunter2")
	var shown map[string]any
	require.NoError(t, json.Unmarshal(red, &shown))
	require.Equal(t, "[redacted]", shown["password"])
	red, err = reg.Redact("successfactors", good)
	require.NoError(t, err)
	require.Contains(t, string(red), "env:SF_PASSWORD", "a reference to a secret is shown as is")

	// The shipped SuccessFactors mapping reads only attributes the
	// connector defines; a custom attribute needs its path.
	m, err := json.Marshal(mapping.DefaultSuccessFactorsAD())
	require.NoError(t, err)
	attrs, err := engine.SourceAttributes(store.Job{ID: "j", Mapping: m, Scoping: []byte(`{}`)})
	require.NoError(t, err)
	_, err = reg.Open(context.Background(), store.SyncState{SourceKind: "successfactors", SourceConfig: good}, attrs)
	require.NoError(t, err)
	_, err = reg.Open(context.Background(), store.SyncState{SourceKind: "successfactors", SourceConfig: good}, append(attrs, "badgeNumber"))
	require.ErrorContains(t, err, "badgeNumber")
	custom := []byte(`{"baseUrl":"https://api4.successfactors.com","companyId":"ACME","username":"sfapi","password":"p",
		"attributes":[{"name":"badgeNumber","path":"$.employmentNav.results[0].userNav.custom01"}]}`)
	_, err = reg.Open(context.Background(), store.SyncState{SourceKind: "successfactors", SourceConfig: custom}, append(attrs, "badgeNumber"))
	require.NoError(t, err)
}

// TestSuccessFactorsRehearsal opens the registered connector against the
// emulator the way a job does, on the emulator's clock, and reads it.
func TestSuccessFactorsRehearsal(t *testing.T) {
	emu, err := rehearsal.New(rehearsal.Config{Kind: rehearsal.SuccessFactors, Workers: 40, Seed: 5, Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	ts := httptest.NewServer(emu)
	defer ts.Close()
	creds := emu.Credentials()
	cfg, err := json.Marshal(map[string]any{"baseUrl": ts.URL, "companyId": creds["companyId"], "username": creds["username"],
		"password": creds["password"], "rehearsal": true})
	require.NoError(t, err)
	reg, err := connectors()
	require.NoError(t, err)
	require.NoError(t, reg.Validate("successfactors", cfg))
	m, err := json.Marshal(mapping.DefaultSuccessFactorsAD())
	require.NoError(t, err)
	attrs, err := engine.SourceAttributes(store.Job{ID: "j", Mapping: m, Scoping: []byte(`{}`)})
	require.NoError(t, err)
	src, err := reg.Open(context.Background(), store.SyncState{SourceKind: "successfactors", SourceConfig: cfg}, attrs)
	require.NoError(t, err)
	n, active := 0, 0
	_, err = src.Full(context.Background(), func(r source.Record) error {
		n++
		if v, ok := r.Attributes["activeEmploymentsCount"]; ok && v.AsString() != "0" {
			active++
		}
		require.NotEmpty(t, r.Attributes["personIdExternal"].AsString())
		return nil
	})
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 40)
	require.GreaterOrEqual(t, active, 30, "most of the 40 are employed")

	bad, _ := json.Marshal(map[string]any{"baseUrl": "http://127.0.0.1:1", "companyId": "A", "username": "u", "password": "p", "rehearsal": true})
	_, err = reg.Open(context.Background(), store.SyncState{SourceKind: "successfactors", SourceConfig: bad}, attrs)
	require.ErrorContains(t, err, "rehearsal")
}

// TestCSVSource opens the registered CSV connector on a drop folder and
// reads a file through it, as a job does.
func TestCSVSource(t *testing.T) {
	reg, err := connectors()
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "workers-1.csv"),
		[]byte("EmployeeID,First name,Status\n1001,Zoë,active\n1002,Łukasz,active\n,Nobody,active\n"), 0o600))
	cfg, err := json.Marshal(map[string]any{"folder": dir, "settle": "0s", "key": "EmployeeID",
		"columns": map[string]string{"EmployeeID": "WorkerID", "First name": "FirstName"}})
	require.NoError(t, err)
	require.NoError(t, reg.Validate("csv", cfg))
	require.ErrorContains(t, reg.Validate("csv", []byte(`{"folder":"x"}`)), "key")
	src, err := reg.Open(context.Background(), store.SyncState{SourceKind: "csv", SourceConfig: cfg}, []string{"WorkerID", "FirstName"})
	require.NoError(t, err)
	var got []string
	_, err = src.Full(context.Background(), func(r source.Record) error {
		got = append(got, r.Anchor+"="+r.Attributes["FirstName"].AsString())
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, []string{"1001=Zoë", "1002=Łukasz"}, got, "the row without a key is reported, not sent")
	red, err := reg.Redact("csv", cfg)
	require.NoError(t, err)
	require.JSONEq(t, string(cfg), string(red))
}

// TestWorkdayRehearsal opens the registered Workday connector against the
// emulator as a job does, with the shipped Workday mapping's attributes.
func TestWorkdayRehearsal(t *testing.T) {
	emu, err := rehearsal.New(rehearsal.Config{Kind: rehearsal.Workday, Workers: 40, Seed: 5, Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	ts := httptest.NewServer(emu)
	defer ts.Close()
	c := emu.Credentials()
	var zones map[string]string
	require.NoError(t, json.Unmarshal([]byte(c["zones"]), &zones))
	cfg, err := json.Marshal(map[string]any{"url": ts.URL + c["path"], "username": c["username"], "password": c["password"], "zones": zones, "rehearsal": true})
	require.NoError(t, err)
	reg, err := connectors()
	require.NoError(t, err)
	require.NoError(t, reg.Validate("workday", cfg))
	require.ErrorContains(t, reg.Validate("workday", []byte(`{"url":"https://x","username":"u","password":"p","prehireLookahead":"soon"}`)), "prehireLookahead")
	m, err := json.Marshal(mapping.DefaultWorkdayAD())
	require.NoError(t, err)
	attrs, err := engine.SourceAttributes(store.Job{ID: "j", Mapping: m, Scoping: []byte(`{}`)})
	require.NoError(t, err)
	src, err := reg.Open(context.Background(), store.SyncState{SourceKind: "workday", SourceConfig: cfg}, attrs)
	require.NoError(t, err)
	n, active := 0, 0
	_, err = src.Full(context.Background(), func(r source.Record) error {
		n++
		if r.Attributes["Active"].AsString() == "1" {
			active++
		}
		require.NotEmpty(t, r.Attributes["WorkerID"].AsString())
		return nil
	})
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 40)
	require.GreaterOrEqual(t, active, 30)
	red, err := reg.Redact("workday", cfg)
	require.NoError(t, err)
	require.NotContains(t, string(red), c["password"])
}

// TestWriteBackThroughTheJobSource writes an e-mail address back through a
// job's SuccessFactors source and reads it back from the emulator.
func TestWriteBackThroughTheJobSource(t *testing.T) {
	ctx := context.Background()
	emu, err := rehearsal.New(rehearsal.Config{Kind: rehearsal.SuccessFactors, Workers: 20, Seed: 9, Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	ts := httptest.NewServer(emu)
	defer ts.Close()
	creds := emu.Credentials()
	cfg, err := json.Marshal(map[string]any{"baseUrl": ts.URL, "companyId": creds["companyId"], "username": creds["username"], "password": creds["password"], "rehearsal": true})
	require.NoError(t, err)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	defer st.Close()
	for _, id := range []string{"sf", "api", "csv"} {
		require.NoError(t, st.CreateJob(ctx, store.Job{ID: id, ServicePrincipal: "sp", Name: id, Template: "x", Domain: "hrsync.test", DefaultContainer: "OU=x,DC=hrsync,DC=test",
			Mapping: []byte(`{"rules":[]}`), Scoping: []byte(`{}`), SchemaVersion: 1, UploadTokenHash: []byte{1}}))
	}
	require.NoError(t, st.PutSource(ctx, "sf", "successfactors", cfg, time.Minute))
	csvCfg, _ := json.Marshal(map[string]any{"folder": t.TempDir(), "key": "id"})
	require.NoError(t, st.PutSource(ctx, "csv", "csv", csvCfg, time.Minute))
	reg, err := connectors()
	require.NoError(t, err)
	wb := writeBackThrough(st, reg)

	sync, err := st.GetSyncState(ctx, "sf")
	require.NoError(t, err)
	src, err := reg.Open(ctx, sync, []string{"personIdExternal", "emailAddress"})
	require.NoError(t, err)
	var anchor string
	_, err = src.Full(ctx, func(r source.Record) error {
		if anchor == "" && r.Attributes["personIdExternal"].AsString() != "" {
			anchor = r.Anchor
		}
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, wb(ctx, "sf", anchor, map[string]string{"EmailAddress": "written.back@acme.example"}))
	rec, ok, err := src.Worker(ctx, anchor, time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "written.back@acme.example", rec.Attributes["emailAddress"].AsString(), "HR shows the written-back address")

	require.ErrorContains(t, wb(ctx, "api", "x", map[string]string{"EmailAddress": "a@b"}), "no pull source")
	require.ErrorContains(t, wb(ctx, "csv", "x", map[string]string{"EmailAddress": "a@b"}), "does not write back")
}
