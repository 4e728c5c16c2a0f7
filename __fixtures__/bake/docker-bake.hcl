variable "GITHUB_TOKEN" {}
group "default" { targets = ["api", "web"] }
target "api" {
  context = "services/api"
  dockerfile = "../../docker/api.Dockerfile"
  target = "prod"
  args = { TOKEN = "${GITHUB_TOKEN}", VERSION = "1.10" }
  platforms = ["linux/amd64"]
}
target "web" {
  context = "."
  dockerfile = "docker/web.Dockerfile"
}
