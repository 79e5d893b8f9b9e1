// Package testkit is how every package's tests speak to trygg as Twilio and Slack do, and
// stand in for their APIs: one signer per provider (TwilioSignature, SlackSignature) and
// one fake per API (TwilioAPI, SlackAPI) on an httptest server, recording what trygg sent
// and answering with the providers' real JSON. Tests build attacks as ordinary table rows:
// a request signed with another secret, or a stale timestamp, differs from the valid one
// only in the arguments to the signer.
//
// The signers are proven against the providers' published vectors in this package's tests,
// so other tests can rely on them instead of carrying their own copies.
package testkit

import "testing"

// tb is what the fakes need of a test: testing.T or testing.B.
type tb = testing.TB
