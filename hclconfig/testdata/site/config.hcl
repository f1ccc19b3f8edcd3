default_executor = "slurm"

store {
  path = "db/manifest.db"
}

executor "slurm" {
  max_queued = 500
  account    = "proj42"
  partition  = "short"
  sbatch     = "/opt/slurm/bin/sbatch"
  poll_batch = 1000
  use_arrays = true
  extra_args = ["--exclusive", "--mail-type=NONE"]

  resources {
    account = "proj42"
    time    = "1h"
  }
}

executor "local" {}

dispatch {
  mode          = "chain"
  poll_interval = "10s"
  resources {
    cpus = 1
    mem  = "512M"
  }
}

plugins {
  dirs      = ["plugins", "/opt/reflow/plugins"]
  lock_file = "plugins.lock"
}

cache {
  verify = "content"
}
