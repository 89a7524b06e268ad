// Command simstate prints a summary of what a running lms-simulator holds:
// each vendor's users, groups and assignments, read from the admin API
// (GET /_sim/<vendor>/state). hack/demo.sh runs it after the operator has
// reconciled the demo objects.
//
// Usage: simstate [--url http://127.0.0.1:8090]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/exceedsim"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8090", "base `URL` of the simulator")
	flag.Parse()
	if err := run(*url, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "simstate:", err)
		os.Exit(1)
	}
}

// run fetches the three vendors' states and prints them.
func run(base string, w io.Writer) error {
	var el eleapsim.State
	if err := fetch(base, "eleap", &el); err != nil {
		return err
	}
	var en enableysim.State
	if err := fetch(base, "enabley", &en); err != nil {
		return err
	}
	var ex exceedsim.State
	if err := fetch(base, "exceed", &ex); err != nil {
		return err
	}
	// Build the summary in memory (writes to a strings.Builder cannot fail)
	// and write it once, so that a failed write is reported.
	var b strings.Builder
	printELeaP(&b, el)
	printEnabley(&b, en)
	printExceed(&b, ex)
	_, err := io.WriteString(w, b.String())
	return err
}

// fetch decodes GET <base>/_sim/<vendor>/state into out.
func fetch(base, vendor string, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/_sim/"+vendor+"/state", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("read the %s state: %w", vendor, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("read the %s state: HTTP %d", vendor, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode the %s state: %w", vendor, err)
	}
	return nil
}

// eleapRoles names eLeaP's access levels.
var eleapRoles = map[int]string{0: "trainee", 1: "instructor", 2: "supervisor", 3: "manager"}

func printELeaP(w *strings.Builder, s eleapsim.State) {
	fmt.Fprintln(w, "eLeaP")
	fmt.Fprintln(w, "  users:")
	for _, u := range s.Users {
		fmt.Fprintf(w, "    %-5s %-26s %-22s %-10s %s\n", u.ID, u.Email, u.FirstName+" "+u.LastName,
			eleapRoles[u.AccessLevel], activeWord(u.Active))
	}
	groupNames := map[string]string{}
	for _, g := range s.UserGroups {
		groupNames[g.ID] = g.Name
	}
	members := map[string][]string{}
	for _, m := range s.Memberships {
		members[m.GroupID] = append(members[m.GroupID], m.Email)
	}
	fmt.Fprintln(w, "  user groups:")
	for _, g := range s.UserGroups {
		fmt.Fprintf(w, "    %-5s %-26s members: %s\n", g.ID, g.Name, list(members[g.ID]))
	}
	names := map[string]string{}
	for _, c := range s.Courses {
		names[eleapsim.TargetCourse+c.ID] = c.Name
	}
	for _, p := range s.LearningPaths {
		names[eleapsim.TargetLearningPath+p.ID] = p.Name
	}
	fmt.Fprintln(w, "  assignments:")
	for _, a := range s.Assignments {
		who := a.Email
		if a.UserGroupID != "" {
			who = "user group " + a.UserGroupID + " " + groupNames[a.UserGroupID]
		}
		fmt.Fprintf(w, "    %-13s %-4s %-26s -> %s\n", a.Target, a.TargetID, names[a.Target+a.TargetID], who)
	}
}

func printEnabley(w *strings.Builder, s enableysim.State) {
	fmt.Fprintln(w, "Enabley")
	fmt.Fprintln(w, "  users:")
	for _, u := range s.Users {
		fmt.Fprintf(w, "    %-26s %-22s %-18s %s\n", u.Identifier, u.FirstName+" "+u.LastName,
			strings.ToLower(strings.Join(u.PossibleRoles, ",")), activeWord(u.IsActive))
	}
	fmt.Fprintln(w, "  groups:")
	for _, g := range s.Groups {
		fmt.Fprintf(w, "    %-20s %-12s %-11s members: %s\n", g.Identifier, g.Name, g.Type, list(g.Members))
	}
	fmt.Fprintln(w, "  channel assignments:")
	for _, c := range s.Channels {
		var who []string
		for u, roles := range c.Users {
			who = append(who, u+" ("+strings.ToLower(strings.Join(roles, ","))+")")
		}
		for _, g := range c.Groups {
			who = append(who, "group "+g.Group)
		}
		if len(who) > 0 {
			sort.Strings(who)
			fmt.Fprintf(w, "    %-20s -> %s\n", c.Identifier, strings.Join(who, ", "))
		}
	}
}

func printExceed(w *strings.Builder, s exceedsim.State) {
	fmt.Fprintln(w, "Exceed")
	fmt.Fprintln(w, "  users:")
	for _, u := range s.Users {
		fmt.Fprintf(w, "    %-3d %-26s %-22s %s\n", u.ID, u.Code, u.FirstName+" "+u.LastName, activeWord(u.IsActive))
	}
}

func activeWord(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}

func list(items []string) string {
	if len(items) == 0 {
		return "-"
	}
	return strings.Join(items, ", ")
}
