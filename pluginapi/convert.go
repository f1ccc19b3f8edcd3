package pluginapi

// Conversion between the public types and the generated wire types. Kept apart
// from the transport logic so each side reads on its own.

import (
	"encoding/json"
	"fmt"
	"time"

	pb "github.com/reflow-hpc/reflow/pluginapi/internal/executorpb"
)

func diagsToPB(ds Diagnostics) []*pb.Diagnostic {
	if len(ds) == 0 {
		return nil
	}
	out := make([]*pb.Diagnostic, len(ds))
	for i, d := range ds {
		sev := pb.Diagnostic_ERROR
		if d.Severity == Warning {
			sev = pb.Diagnostic_WARNING
		}
		out[i] = &pb.Diagnostic{Severity: sev, Summary: d.Summary, Detail: d.Detail, Attribute: d.Attribute}
	}
	return out
}

func diagsFromPB(in []*pb.Diagnostic) Diagnostics {
	if len(in) == 0 {
		return nil
	}
	out := make(Diagnostics, len(in))
	for i, d := range in {
		sev := Error
		if d.GetSeverity() == pb.Diagnostic_WARNING {
			sev = Warning
		}
		out[i] = Diagnostic{Severity: sev, Summary: d.GetSummary(), Detail: d.GetDetail(), Attribute: d.GetAttribute()}
	}
	return out
}

func infoToPB(r *InfoResponse) *pb.InfoResponse {
	deps := make([]string, len(r.Capabilities.Dependencies))
	for i, k := range r.Capabilities.Dependencies {
		deps[i] = string(k)
	}
	keys := make([]*pb.ResourceKey, len(r.ResourceKeys))
	for i, k := range r.ResourceKeys {
		keys[i] = &pb.ResourceKey{Name: k.Name, Aliases: k.Aliases, Description: k.Description}
	}
	settings := make([]*pb.Setting, len(r.Settings))
	for i, s := range r.Settings {
		settings[i] = &pb.Setting{Name: s.Name, Type: string(s.Type), Description: s.Description, Default: s.Default, Required: s.Required}
	}
	c := r.Capabilities
	return &pb.InfoResponse{
		Name:            r.Name,
		Version:         r.Version,
		ProtocolVersion: int64(r.ProtocolVersion),
		Flavor:          r.Flavor,
		Capabilities: &pb.Capabilities{
			Arrays: c.Arrays, MaxArraySize: int64(c.MaxArraySize), ArrayIndexBase: int64(c.ArrayIndexBase),
			Throttle: c.Throttle, Dependencies: deps, AnyOf: c.AnyOf,
		},
		ResourceKeys: keys,
		Settings:     settings,
		Diagnostics:  diagsToPB(r.Diagnostics),
	}
}

func infoFromPB(r *pb.InfoResponse) *InfoResponse {
	c := r.GetCapabilities()
	var deps []DependencyKind
	for _, k := range c.GetDependencies() {
		deps = append(deps, DependencyKind(k))
	}
	var keys []ResourceKey
	for _, k := range r.GetResourceKeys() {
		keys = append(keys, ResourceKey{Name: k.GetName(), Aliases: k.GetAliases(), Description: k.GetDescription()})
	}
	var settings []Setting
	for _, s := range r.GetSettings() {
		settings = append(settings, Setting{Name: s.GetName(), Type: SettingType(s.GetType()), Description: s.GetDescription(), Default: s.GetDefault(), Required: s.GetRequired()})
	}
	return &InfoResponse{
		Name:            r.GetName(),
		Version:         r.GetVersion(),
		ProtocolVersion: int(r.GetProtocolVersion()),
		Flavor:          r.GetFlavor(),
		Capabilities: Capabilities{
			Arrays: c.GetArrays(), MaxArraySize: int(c.GetMaxArraySize()), ArrayIndexBase: int(c.GetArrayIndexBase()),
			Throttle: c.GetThrottle(), Dependencies: deps, AnyOf: c.GetAnyOf(),
		},
		ResourceKeys: keys,
		Settings:     settings,
		Diagnostics:  diagsFromPB(r.GetDiagnostics()),
	}
}

func settingsToJSON(s map[string]any) ([]byte, error) {
	if s == nil {
		return nil, nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("settings are not JSON-compatible: %w", err)
	}
	return b, nil
}

func settingsFromJSON(b []byte) (map[string]any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decoding settings: %w", err)
	}
	return m, nil
}

func handleToPB(h Handle) *pb.Handle { return &pb.Handle{Id: h.ID, State: h.State} }

func handleFromPB(h *pb.Handle) Handle { return Handle{ID: h.GetId(), State: h.GetState()} }

func handlesToPB(hs []Handle) []*pb.Handle {
	out := make([]*pb.Handle, len(hs))
	for i, h := range hs {
		out[i] = handleToPB(h)
	}
	return out
}

func handlesFromPB(hs []*pb.Handle) []Handle {
	out := make([]Handle, len(hs))
	for i, h := range hs {
		out[i] = handleFromPB(h)
	}
	return out
}

func jobToPB(j *JobSpec) *pb.JobSpec {
	out := &pb.JobSpec{
		RunId: j.RunID, Task: j.Task, WorkDir: j.WorkDir, WorkerArgv: j.WorkerArgv, Script: j.Script,
		Stdout: j.Stdout, Stderr: j.Stderr, Env: j.Env, Resources: j.Resources, Options: j.Options,
	}
	if j.Array != nil {
		out.Array = &pb.ArraySpec{Size: int64(j.Array.Size), Offset: int64(j.Array.Offset), Parallelism: int64(j.Array.Parallelism)}
	}
	for _, d := range j.Dependencies {
		out.Dependencies = append(out.Dependencies, &pb.Dependency{Kind: string(d.Kind), Handle: handleToPB(d.Handle), Group: d.Group})
	}
	return out
}

func jobFromPB(j *pb.JobSpec) JobSpec {
	out := JobSpec{
		RunID: j.GetRunId(), Task: j.GetTask(), WorkDir: j.GetWorkDir(), WorkerArgv: j.GetWorkerArgv(), Script: j.GetScript(),
		Stdout: j.GetStdout(), Stderr: j.GetStderr(), Env: j.GetEnv(), Resources: j.GetResources(), Options: j.GetOptions(),
	}
	if a := j.GetArray(); a != nil {
		out.Array = &ArraySpec{Size: int(a.GetSize()), Offset: int(a.GetOffset()), Parallelism: int(a.GetParallelism())}
	}
	for _, d := range j.GetDependencies() {
		out.Dependencies = append(out.Dependencies, Dependency{Kind: DependencyKind(d.GetKind()), Handle: handleFromPB(d.GetHandle()), Group: d.GetGroup()})
	}
	return out
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func statusToPB(s *Status) *pb.Status {
	return &pb.Status{
		State: string(s.State), ExitCode: int64(s.ExitCode), NativeState: s.NativeState, Reason: s.Reason,
		StartUnixNano: unixNano(s.Start), EndUnixNano: unixNano(s.End), PeakMemory: s.PeakMemory,
	}
}

func statusFromPB(s *pb.Status) Status {
	if s == nil {
		return Status{State: StateUnknown, ExitCode: NoExitCode}
	}
	return Status{
		State: State(s.GetState()), ExitCode: int(s.GetExitCode()), NativeState: s.GetNativeState(), Reason: s.GetReason(),
		Start: fromUnixNano(s.GetStartUnixNano()), End: fromUnixNano(s.GetEndUnixNano()), PeakMemory: s.GetPeakMemory(),
	}
}

func pollToPB(r *PollResponse) *pb.PollResponse {
	out := &pb.PollResponse{Jobs: make([]*pb.JobStatus, len(r.Jobs)), Diagnostics: diagsToPB(r.Diagnostics)}
	for i := range r.Jobs {
		j := &r.Jobs[i]
		pj := &pb.JobStatus{Id: j.ID, Status: statusToPB(&j.Status)}
		if len(j.Elements) > 0 {
			pj.Elements = make([]*pb.ElementStatus, len(j.Elements))
			for k := range j.Elements {
				e := &j.Elements[k]
				pj.Elements[k] = &pb.ElementStatus{Index: int64(e.Index), Count: int64(e.Count), Status: statusToPB(&e.Status)}
			}
		}
		out.Jobs[i] = pj
	}
	return out
}

func pollFromPB(r *pb.PollResponse) *PollResponse {
	out := &PollResponse{Jobs: make([]JobStatus, len(r.GetJobs())), Diagnostics: diagsFromPB(r.GetDiagnostics())}
	for i, pj := range r.GetJobs() {
		j := JobStatus{ID: pj.GetId(), Status: statusFromPB(pj.GetStatus())}
		if es := pj.GetElements(); len(es) > 0 {
			j.Elements = make([]ElementStatus, len(es))
			for k, e := range es {
				j.Elements[k] = ElementStatus{Index: int(e.GetIndex()), Count: int(e.GetCount()), Status: statusFromPB(e.GetStatus())}
			}
		}
		out.Jobs[i] = j
	}
	return out
}
