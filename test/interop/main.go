// Command interop reads and writes c1z files with baton-sdk's own pkg/dotc1z, so the TypeScript
// tests can compare what ConductorOne's Go code sees in our files with what our reader reports.
// It is a test tool only; nothing in the product depends on Go.
//
//	interop read [--sync-id ID] [--ids] FILE   JSON summary of FILE as the SDK reads it
//	interop write-sqlite FILE                  a v1 (SQLite engine) c1z with the rows of fixtureRows
//	interop write-default FILE                 the same rows in the SDK's default format
//	interop fixture                            the rows write-* put in, as JSON (ids only)
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	v2 "github.com/conductorone/baton-sdk/pb/c1/connector/v2"
	c1zpb "github.com/conductorone/baton-sdk/pb/c1/c1z/v1"
	reader_v2 "github.com/conductorone/baton-sdk/pb/c1/reader/v2"
	"github.com/conductorone/baton-sdk/pkg/annotations"
	"github.com/conductorone/baton-sdk/pkg/connectorstore"
	"github.com/conductorone/baton-sdk/pkg/dotc1z"
	"github.com/conductorone/baton-sdk/pkg/dotc1z/c1zstore"
)

const sdkModule = "github.com/conductorone/baton-sdk"

// Big enough that a 100k-grant file takes few round trips; the SDK clamps larger values anyway.
const pageSize = 10000

type syncRun struct {
	ID        string  `json:"id"`
	Type      string  `json:"type"`
	StartedAt string  `json:"startedAt"`
	EndedAt   *string `json:"endedAt"`
	Finished  bool    `json:"finished"`
}

type idSet struct {
	Count  int      `json:"count"`
	SHA256 string   `json:"sha256"`
	IDs    []string `json:"ids,omitempty"`
}

type report struct {
	SDKVersion    string           `json:"sdkVersion"`
	Format        string           `json:"format"`
	Sync          string           `json:"sync"`
	ChosenBy      string           `json:"chosenBy"`
	SyncRuns      []syncRun        `json:"syncRuns"`
	ResourceTypes idSet            `json:"resourceTypes"`
	Resources     idSet            `json:"resources"`
	Entitlements  idSet            `json:"entitlements"`
	Grants        idSet            `json:"grants"`
	// Stats: the SDK's recount from the tables (what `baton recalculate-stats` stores).
	Stats map[string]int64 `json:"stats"`
	// StoredStats: what the SDK reads as the sync's cached stats (the file's own, when present).
	StoredStats map[string]int64 `json:"storedStats"`
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "read":
		err = cmdRead(ctx, os.Args[2:])
	case "write-sqlite":
		err = cmdWrite(ctx, os.Args[2:], c1zstore.EngineSQLite)
	case "write-default":
		err = cmdWrite(ctx, os.Args[2:], "")
	case "fixture":
		err = json.NewEncoder(os.Stdout).Encode(fixtureIDs())
	case "version":
		fmt.Println(sdkVersion())
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop: %v\n", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: interop read [--sync-id ID] [--ids] FILE | write-sqlite FILE | write-default FILE | fixture | version")
	os.Exit(2)
}

func sdkVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == sdkModule {
				return d.Version
			}
		}
	}
	return "unknown"
}

func cmdRead(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("read", flag.ContinueOnError)
	syncID := fs.String("sync-id", "", "read this sync (e.g. the unfinished sync of a checkpoint file) instead of the latest finished full sync")
	withIDs := fs.Bool("ids", false, "include the sorted id lists")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("read: want exactly one FILE")
	}
	path := fs.Arg(0)

	format, err := fileFormat(path)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "interop-read-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// NewStore is the engine-neutral open ConductorOne's tooling uses: it dispatches on the magic
	// bytes, so a v1 file goes through the SQLite engine exactly as in ingestion.
	store, err := dotc1z.NewStore(ctx, path, dotc1z.WithReadOnly(true), dotc1z.WithTmpDir(tmp))
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer store.Close(ctx)

	rep := report{SDKVersion: sdkVersion(), Format: format}
	if rep.SyncRuns, err = listSyncRuns(ctx, store); err != nil {
		return err
	}

	if *syncID != "" {
		found := false
		for _, r := range rep.SyncRuns {
			found = found || r.ID == *syncID
		}
		if !found {
			return fmt.Errorf("no sync %s in %s", *syncID, path)
		}
		rep.Sync, rep.ChosenBy = *syncID, "requested"
	} else {
		// What the SDK calls "the latest full sync": the newest finished sync of type full.
		latest, err := store.SyncMeta().LatestFullSync(ctx)
		if err != nil {
			return fmt.Errorf("latest full sync: %w", err)
		}
		if latest == nil {
			return fmt.Errorf("%s: the SDK finds no finished full sync (SyncMeta().LatestFullSync returned none)", path)
		}
		rep.Sync, rep.ChosenBy = latest.ID, "latest finished full sync"
	}

	// The sync id travels as the SyncDetails annotation, the SDK's own per-request override, so
	// every list reads exactly the chosen sync whatever the store's default view would be.
	anns := annotations.New(c1zpb.SyncDetails_builder{Id: rep.Sync}.Build())

	rts, err := collect(func(tok string) ([]string, string, error) {
		resp, err := store.ListResourceTypes(ctx, v2.ResourceTypesServiceListResourceTypesRequest_builder{PageSize: pageSize, PageToken: tok, Annotations: anns}.Build())
		if err != nil {
			return nil, "", err
		}
		ids := make([]string, 0, len(resp.GetList()))
		for _, rt := range resp.GetList() {
			ids = append(ids, rt.GetId())
		}
		return ids, resp.GetNextPageToken(), nil
	})
	if err != nil {
		return fmt.Errorf("list resource types: %w", err)
	}
	res, err := collect(func(tok string) ([]string, string, error) {
		resp, err := store.ListResources(ctx, v2.ResourcesServiceListResourcesRequest_builder{PageSize: pageSize, PageToken: tok, Annotations: anns}.Build())
		if err != nil {
			return nil, "", err
		}
		ids := make([]string, 0, len(resp.GetList()))
		for _, r := range resp.GetList() {
			ids = append(ids, resourceKey(r.GetId()))
		}
		return ids, resp.GetNextPageToken(), nil
	})
	if err != nil {
		return fmt.Errorf("list resources: %w", err)
	}
	ents, err := collect(func(tok string) ([]string, string, error) {
		resp, err := store.ListEntitlements(ctx, v2.EntitlementsServiceListEntitlementsRequest_builder{PageSize: pageSize, PageToken: tok, Annotations: anns}.Build())
		if err != nil {
			return nil, "", err
		}
		ids := make([]string, 0, len(resp.GetList()))
		for _, e := range resp.GetList() {
			ids = append(ids, e.GetId())
		}
		return ids, resp.GetNextPageToken(), nil
	})
	if err != nil {
		return fmt.Errorf("list entitlements: %w", err)
	}
	grants, err := collect(func(tok string) ([]string, string, error) {
		resp, err := store.ListGrants(ctx, v2.GrantsServiceListGrantsRequest_builder{PageSize: pageSize, PageToken: tok, Annotations: anns}.Build())
		if err != nil {
			return nil, "", err
		}
		ids := make([]string, 0, len(resp.GetList()))
		for _, g := range resp.GetList() {
			ids = append(ids, g.GetId())
		}
		return ids, resp.GetNextPageToken(), nil
	})
	if err != nil {
		return fmt.Errorf("list grants: %w", err)
	}
	rep.ResourceTypes = digest(rts, *withIDs)
	rep.Resources = digest(res, *withIDs)
	rep.Entitlements = digest(ents, *withIDs)
	rep.Grants = digest(grants, *withIDs)

	// The SDK's counters as a second opinion on the counts. Stats on this store returns the stats
	// the file carries when it has them (ours, for our files); the recount is the SDK's own.
	syncType := connectorstore.SyncTypeFull
	for _, r := range rep.SyncRuns {
		if r.ID == rep.Sync {
			syncType = connectorstore.SyncType(r.Type)
		}
	}
	if rep.StoredStats, err = store.SyncMeta().Stats(ctx, syncType, rep.Sync); err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	if rep.Stats, err = recountStats(ctx, path, tmp, rep.Sync, syncType); err != nil {
		return fmt.Errorf("recount stats: %w", err)
	}

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	return enc.Encode(rep)
}

// recountStats recounts a sync the way `baton recalculate-stats` does: RecalculateStats on a
// writable copy of the file (the original stays untouched), then Stats reads the fresh numbers.
func recountStats(ctx context.Context, path, tmp, syncID string, syncType connectorstore.SyncType) (map[string]int64, error) {
	dir, err := os.MkdirTemp(tmp, "recount-")
	if err != nil {
		return nil, err
	}
	cp := filepath.Join(dir, "copy.c1z")
	if err := copyFile(path, cp); err != nil {
		return nil, err
	}
	store, err := dotc1z.NewStore(ctx, cp, dotc1z.WithTmpDir(dir))
	if err != nil {
		return nil, fmt.Errorf("open a writable copy: %w", err)
	}
	defer store.Close(ctx)
	if err := store.SyncMeta().RecalculateStats(ctx, syncID); err != nil {
		return nil, err
	}
	return store.SyncMeta().Stats(ctx, syncType, syncID)
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// resourceKey is the resource's identity across files: a resource id is unique only per type.
func resourceKey(id *v2.ResourceId) string {
	return id.GetResourceType() + "/" + id.GetResource()
}

func collect(page func(tok string) ([]string, string, error)) ([]string, error) {
	var all []string
	tok := ""
	for {
		ids, next, err := page(tok)
		if err != nil {
			return nil, err
		}
		all = append(all, ids...)
		if next == "" {
			return all, nil
		}
		if next == tok {
			return nil, fmt.Errorf("page token %q did not advance", tok)
		}
		tok = next
	}
}

// digest sorts by bytes (Go's string order) and hashes the ids one per line, so the TypeScript
// side can compute the same value without trusting either side's iteration order.
func digest(ids []string, keep bool) idSet {
	sort.Strings(ids)
	h := sha256.New()
	for _, id := range ids {
		io.WriteString(h, id)
		io.WriteString(h, "\n")
	}
	out := idSet{Count: len(ids), SHA256: hex.EncodeToString(h.Sum(nil))}
	if keep {
		out.IDs = ids
		if out.IDs == nil {
			out.IDs = []string{}
		}
	}
	return out
}

func listSyncRuns(ctx context.Context, store c1zstore.Store) ([]syncRun, error) {
	var out []syncRun
	tok := ""
	for {
		resp, err := store.ListSyncs(ctx, reader_v2.SyncsReaderServiceListSyncsRequest_builder{PageSize: 100, PageToken: tok}.Build())
		if err != nil {
			return nil, fmt.Errorf("list syncs: %w", err)
		}
		for _, s := range resp.GetSyncs() {
			r := syncRun{ID: s.GetId(), Type: s.GetSyncType()}
			if s.HasStartedAt() {
				r.StartedAt = s.GetStartedAt().AsTime().UTC().Format(time.RFC3339Nano)
			}
			if s.HasEndedAt() {
				e := s.GetEndedAt().AsTime().UTC().Format(time.RFC3339Nano)
				r.EndedAt, r.Finished = &e, true
			}
			out = append(out, r)
		}
		if resp.GetNextPageToken() == "" || resp.GetNextPageToken() == tok {
			return out, nil
		}
		tok = resp.GetNextPageToken()
	}
}

func fileFormat(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	format, err := dotc1z.ReadHeaderFormat(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return format.String(), nil
}

// ---- write mode ----

type fixture struct {
	ResourceTypes []string `json:"resourceTypes"`
	Resources     []string `json:"resources"`
	Entitlements  []string `json:"entitlements"`
	Grants        []string `json:"grants"`
}

// fixtureRows: two types, a group with a member entitlement granted to two users and itself
// (a nested principal), so ids with ':' and '/' appear as real connectors produce them.
func fixtureRows() ([]*v2.ResourceType, []*v2.Resource, []*v2.Entitlement, []*v2.Grant) {
	user := v2.ResourceType_builder{Id: "user", DisplayName: "User", Traits: []v2.ResourceType_Trait{v2.ResourceType_TRAIT_USER}}.Build()
	group := v2.ResourceType_builder{Id: "group", DisplayName: "Group", Traits: []v2.ResourceType_Trait{v2.ResourceType_TRAIT_GROUP}}.Build()
	mk := func(rt, id, name string) *v2.Resource {
		return v2.Resource_builder{Id: v2.ResourceId_builder{ResourceType: rt, Resource: id}.Build(), DisplayName: name}.Build()
	}
	alice, bob := mk("user", "U001", "Alice"), mk("user", "U002", "Bob")
	eng, ops := mk("group", "G-eng", "Engineering"), mk("group", "G-ops", "Ops")
	ent := func(r *v2.Resource, slug string) *v2.Entitlement {
		return v2.Entitlement_builder{
			Id:          "group:" + r.GetId().GetResource() + ":" + slug,
			Resource:    r,
			DisplayName: slug,
			Slug:        slug,
			Purpose:     v2.Entitlement_PURPOSE_VALUE_ASSIGNMENT,
		}.Build()
	}
	engMember, opsMember, engAdmin := ent(eng, "member"), ent(ops, "member"), ent(eng, "admin")
	grant := func(e *v2.Entitlement, p *v2.Resource) *v2.Grant {
		return v2.Grant_builder{
			Id:          e.GetId() + ":" + p.GetId().GetResourceType() + ":" + p.GetId().GetResource(),
			Entitlement: e,
			Principal:   p,
		}.Build()
	}
	return []*v2.ResourceType{user, group},
		[]*v2.Resource{alice, bob, eng, ops},
		[]*v2.Entitlement{engMember, opsMember, engAdmin},
		[]*v2.Grant{grant(engMember, alice), grant(engMember, bob), grant(opsMember, bob), grant(engAdmin, alice), grant(opsMember, eng)}
}

func fixtureIDs() fixture {
	rts, rs, es, gs := fixtureRows()
	var f fixture
	for _, x := range rts {
		f.ResourceTypes = append(f.ResourceTypes, x.GetId())
	}
	for _, x := range rs {
		f.Resources = append(f.Resources, resourceKey(x.GetId()))
	}
	for _, x := range es {
		f.Entitlements = append(f.Entitlements, x.GetId())
	}
	for _, x := range gs {
		f.Grants = append(f.Grants, x.GetId())
	}
	return f
}

// cmdWrite writes one finished full sync of fixtureRows. engine "" leaves the choice to the SDK
// (NewStore's default for a new file), which is what a connector built on this SDK writes.
func cmdWrite(ctx context.Context, args []string, engine c1zstore.Engine) error {
	if len(args) != 1 {
		return errors.New("write: want exactly one FILE")
	}
	path := args[0]
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists; refusing to append a sync to it", path)
	}
	tmp, err := os.MkdirTemp("", "interop-write-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	opts := []dotc1z.C1ZOption{dotc1z.WithTmpDir(tmp)}
	if engine != "" {
		opts = append(opts, dotc1z.WithEngine(engine))
	}
	store, err := dotc1z.NewStore(ctx, path, opts...)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	closed := false
	defer func() {
		if !closed {
			store.Close(ctx)
		}
	}()
	if _, err := store.StartNewSync(ctx, connectorstore.SyncTypeFull, ""); err != nil {
		return fmt.Errorf("start sync: %w", err)
	}
	rts, rs, es, gs := fixtureRows()
	if err := store.PutResourceTypes(ctx, rts...); err != nil {
		return fmt.Errorf("put resource types: %w", err)
	}
	if err := store.PutResources(ctx, rs...); err != nil {
		return fmt.Errorf("put resources: %w", err)
	}
	if err := store.PutEntitlements(ctx, es...); err != nil {
		return fmt.Errorf("put entitlements: %w", err)
	}
	if err := store.PutGrants(ctx, gs...); err != nil {
		return fmt.Errorf("put grants: %w", err)
	}
	if err := store.EndSync(ctx); err != nil {
		return fmt.Errorf("end sync: %w", err)
	}
	closed = true
	if err := store.Close(ctx); err != nil {
		return fmt.Errorf("close (writes the c1z): %w", err)
	}
	format, err := fileFormat(path)
	if err != nil {
		return err
	}
	fmt.Println(strings.TrimSpace(format))
	return nil
}
