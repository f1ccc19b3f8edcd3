package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// supervisorName is the name the double starts itself under to run a job.
const supervisorName = "pbs-double-supervisor"

func main() {
	os.Exit(run(filepath.Base(os.Args[0]), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run acts as the command name: qsub, qstat, qdel or the supervisor.
func run(name string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, err := loadConfig()
	if err != nil {
		fmt.Fprintf(stderr, "%s (PBS test double): %v\n", name, err)
		return 1
	}
	st, err := openStore(c.state)
	if err != nil {
		fmt.Fprintf(stderr, "%s (PBS test double): state directory: %v\n", name, err)
		return 1
	}
	switch name {
	case "qsub":
		return runQsub(c, st, args, stdin, stdout, stderr)
	case "qstat":
		return runQstat(c, st, args, stdout, stderr)
	case "qdel":
		return runQdel(c, st, args, stderr)
	case supervisorName:
		if len(args) != 1 {
			fmt.Fprintf(stderr, "usage: %s SEQ\n", supervisorName)
			return 2
		}
		seq, err := strconv.Atoi(args[0])
		if err != nil {
			fmt.Fprintf(stderr, "%s: bad job number %q\n", supervisorName, args[0])
			return 2
		}
		return runSupervisor(c, st, seq)
	}
	fmt.Fprintf(stderr, "PBS test double: started as %q; link it as qsub, qstat or qdel\n", name)
	return 1
}
