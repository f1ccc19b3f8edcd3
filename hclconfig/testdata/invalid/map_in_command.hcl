workflow "w" {}

job "a" {
  command = "echo '{\"rows\": 1}' > \"$REFLOW_RESULT\""
}

job "b" {
  command = "echo ${job.a.result} ${{x = 1}}"
}
