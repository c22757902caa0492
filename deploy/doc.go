// Package deploy holds the deployment examples (a Kubernetes Indexed Job, a GitHub Actions workflow) and the test that keeps them valid.
package deploy
