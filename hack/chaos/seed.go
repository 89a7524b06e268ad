package main

import (
	"fmt"
	"os"
	"strconv"

	"sigs.k8s.io/yaml"

	"github.com/lmsoperator/lms-operator/internal/lmssim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/eleapsim"
	"github.com/lmsoperator/lms-operator/internal/lmssim/enableysim"
)

// The ids and names of the training the campaign adds to the demo seed:
// every Enrollment gets a target of its own, so that what a deleted
// Enrollment leaves can be told from what another one assigned.
const (
	courseIDBase = 5000
	pathIDBase   = 6000
)

// A target is an Enrollment target of the chaos seed.
type target struct {
	// kind is eleapsim.TargetCourse, eleapsim.TargetLearningPath or "channel".
	kind string
	// id is the vendor's id (the channel identifier on Enabley).
	id string
	// name is the exact name, unique in the seed.
	name string
}

// channelKind is the target kind of an Enabley channel.
const channelKind = "channel"

// chaosSeed is the demo seed with n more eLeaP courses and learning paths
// and n more Enabley channels.
func chaosSeed(n int) lmssim.Seed {
	seed := lmssim.DefaultSeed()
	for _, t := range eleapTargets(n) {
		switch t.kind {
		case eleapsim.TargetCourse:
			seed.ELeaP.Courses = append(seed.ELeaP.Courses, eleapsim.Course{ID: t.id, Name: t.name, Active: true})
		case eleapsim.TargetLearningPath:
			seed.ELeaP.LearningPaths = append(seed.ELeaP.LearningPaths,
				eleapsim.LearningPath{ID: t.id, Name: t.name, Active: true, Courses: []string{"103", "104"}})
		}
	}
	for _, t := range enableyTargets(n) {
		seed.Enabley.Channels = append(seed.Enabley.Channels, enableysim.Channel{Identifier: t.id, Name: t.name,
			Type: "COURSE", SubAccountName: lmssim.DemoEnableySubAcct})
	}
	return seed
}

// eleapTargets are the n courses and n learning paths chaosSeed adds,
// alternating.
func eleapTargets(n int) []target {
	var out []target
	for i := range n {
		out = append(out,
			target{kind: eleapsim.TargetCourse, id: strconv.Itoa(courseIDBase + i), name: fmt.Sprintf("Chaos Course %d", i)},
			target{kind: eleapsim.TargetLearningPath, id: strconv.Itoa(pathIDBase + i), name: fmt.Sprintf("Chaos Path %d", i)})
	}
	return out
}

// enableyTargets are the n channels chaosSeed adds.
func enableyTargets(n int) []target {
	out := make([]target, n)
	for i := range n {
		out[i] = target{kind: channelKind, id: fmt.Sprintf("chaos-channel-%d", i), name: fmt.Sprintf("Chaos Channel %d", i)}
	}
	return out
}

// writeSeed writes seed as YAML to path.
func writeSeed(path string, seed lmssim.Seed) error {
	data, err := yaml.Marshal(seed)
	if err != nil {
		return fmt.Errorf("marshal the seed: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write the seed: %w", err)
	}
	return nil
}
