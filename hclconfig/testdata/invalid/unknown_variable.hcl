workflow "w" {}

job "a" {
  command = "echo ${parm.x} ${run_dir}"
}
