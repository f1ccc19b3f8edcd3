package lsfsyntax

// bsubValueOptions are the bsub options (IBM Spectrum LSF 10.1) that take
// a value, which must be the next word: "-n 4", never "-n4". The strict
// double accepts no attached form, since the plugin never writes one.
var bsubValueOptions = map[string]bool{
	"-a": true, "-alloc_flags": true, "-app": true, "-b": true, "-C": true, "-c": true,
	"-clusters": true, "-cn_cu": true, "-cn_mem": true, "-core_isolation": true, "-csm": true,
	"-cwd": true, "-D": true, "-data": true, "-datagrp": true, "-E": true, "-Ep": true,
	"-e": true, "-eo": true, "-eptl": true, "-env": true, "-ext": true, "-F": true, "-f": true,
	"-freq": true, "-G": true, "-g": true, "-gpu": true, "-hostfile": true, "-i": true,
	"-io": true, "-is": true, "-J": true, "-Jd": true, "-jsdl": true, "-jsdl_strict": true,
	"-jsm": true, "-k": true, "-L": true, "-Lp": true, "-ln_mem": true, "-ln_slots": true,
	"-M": true, "-m": true, "-mig": true, "-n": true, "-nnodes": true, "-network": true,
	"-o": true, "-oo": true, "-outdir": true, "-P": true, "-p": true, "-pack": true,
	"-ptl": true, "-Q": true, "-q": true, "-R": true, "-rcacct": true, "-rnc": true,
	"-S": true, "-s": true, "-sla": true, "-smt": true, "-sp": true, "-stage": true,
	"-step_cgroup": true, "-T": true, "-t": true, "-U": true, "-u": true, "-ul": true,
	"-v": true, "-W": true, "-We": true, "-w": true, "-wa": true, "-wt": true,
}

// bsubFlagOptions are the bsub options that take no value.
var bsubFlagOptions = map[string]bool{
	"-B": true, "-H": true, "-I": true, "-Ip": true, "-IS": true, "-ISp": true, "-ISs": true,
	"-Is": true, "-IX": true, "-K": true, "-N": true, "-r": true, "-rn": true, "-ti": true,
	"-x": true, "-XF": true, "-Zs": true, "-tty": true, "-h": true, "-V": true,
}

// IsBsubOption reports whether opt (with its dash) is a bsub option, and
// whether it takes a value.
func IsBsubOption(opt string) (known, takesValue bool) {
	if bsubValueOptions[opt] {
		return true, true
	}
	return bsubFlagOptions[opt], false
}

// checkedValueOptions are the options whose value the double checks
// against LSF's grammar (facts-page checklist items 1–6); the others are
// accepted as any non-empty word.
var checkedValueOptions = []string{"-J", "-o", "-e", "-oo", "-eo", "-n", "-M", "-W", "-q", "-P", "-G", "-R", "-w", "-cwd", "-env", "-gpu", "-b"}
