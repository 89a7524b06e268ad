package kubectllms

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// symbols are the marks of the actions in the text output.
var symbols = map[string]string{
	ActionCreate: "+", ActionUpdate: "~", ActionAdopt: "=",
	ActionDeactivate: "-", ActionDelete: "-", ActionOrphan: "-",
}

// PrintPlan writes the plan as text, or as JSON when format is "json".
func PrintPlan(w io.Writer, p *Plan, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	if format != "" && format != "text" {
		return fmt.Errorf("unknown output format %q (text or json)", format)
	}
	for _, cp := range p.Connections {
		printConnection(w, cp)
	}
	if p.Changes == 0 {
		_, _ = fmt.Fprintln(w, "No changes: the LMS matches the manifests.")
		return nil
	}
	_, _ = fmt.Fprintf(w, "Plan: %d changes.\n", p.Changes)
	return nil
}

// printConnection writes one connection's changes and costs.
func printConnection(w io.Writer, cp ConnectionPlan) {
	_, _ = fmt.Fprintf(w, "%s (%s):\n", cp.Connection, cp.Provider)
	for _, c := range cp.Changes {
		_, _ = fmt.Fprintf(w, "  %s\n", ChangeLine(c))
		if len(c.Unobserved) > 0 {
			_, _ = fmt.Fprintf(w, "      also writes %s, which the vendor's list does not show\n", strings.Join(c.Unobserved, ", "))
		}
	}
	_, _ = fmt.Fprintf(w, "  vendor calls: %d reads made, %d writes to send, ~%s at %d requests/hour (burst %d)\n",
		cp.Reads, cp.Writes, cp.Duration, cp.RequestsPerHour, cp.Burst)
	if cp.Deletions > 0 {
		_, _ = fmt.Fprintf(w, "  deletion guard: %d deletions, threshold %d/hour, %d sent in the last hour: %d would be held\n",
			cp.Deletions, cp.Threshold, cp.SentHour, cp.Held)
	}
}

// ChangeLine renders one change: `~ update Learner ns/name (lastName: "Old" -> "New")`.
func ChangeLine(c Change) string {
	line := fmt.Sprintf("%s %s %s %s/%s", symbols[c.Action], c.Action, c.Kind, c.Namespace, c.Name)
	var detail []string
	if len(c.Fields) == 0 && c.Email != "" {
		detail = append(detail, c.Email)
	}
	if len(c.Fields) == 0 && c.DisplayName != "" {
		detail = append(detail, strconv.Quote(c.DisplayName))
	}
	for _, f := range c.Fields {
		if quoted(f.Field) {
			detail = append(detail, fmt.Sprintf("%s: %q -> %q", f.Field, f.Old, f.New))
		} else {
			detail = append(detail, fmt.Sprintf("%s: %s -> %s", f.Field, f.Old, f.New))
		}
	}
	for _, m := range c.MembersAdded {
		detail = append(detail, "+member "+m)
	}
	for _, m := range c.MembersRemoved {
		detail = append(detail, "-member "+m)
	}
	for _, m := range c.Assigned {
		detail = append(detail, "+assign "+m)
	}
	for _, m := range c.Unassigned {
		detail = append(detail, "-unassign "+m)
	}
	if c.Note != "" {
		detail = append(detail, c.Note)
	}
	if len(detail) > 0 {
		line += " (" + strings.Join(detail, ", ") + ")"
	}
	return line
}
