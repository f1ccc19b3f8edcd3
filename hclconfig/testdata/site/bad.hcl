store {
  path = 42
}

executor "slurm" {
  max_queued = -1
}

dispatch {
  mode = "detach"
}

cache {
  verfy = "content"
}
