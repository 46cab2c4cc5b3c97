package bounce

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrSignature is a webhook whose signature or credentials do not
// verify. The handler answers it with 401 and records nothing.
var ErrSignature = errors.New("bounce: signature does not verify")

// SNS receives Amazon SES bounce and complaint notifications through an
// Amazon SNS HTTPS subscription. Every message's signature is verified
// (SignatureVersion 1, SHA1withRSA, and 2, SHA256withRSA) against the
// certificate at its SigningCertURL, which must be an https URL on an
// sns.<region>.amazonaws.com host; the topic must be one of Topics.
type SNS struct {
	// Topics are the topic ARNs accepted. Anyone can sign messages with
	// a topic of their own, so a well-signed message from any other
	// topic is refused.
	Topics []string
	// Client fetches certificates and confirms subscriptions. Give it
	// the guarded client (publish.NewHTTPClient) with a small MaxBody.
	Client *http.Client
	// Brand, if set, is the brand every event belongs to.
	Brand string
	// MaxAge refuses a message whose Timestamp is older, or as much in
	// the future; 0: 24 hours, the longest SNS delivery policy retries.
	MaxAge time.Duration
	// Now is the clock; nil: time.Now.
	Now func() time.Time

	certs certCache
}

// snsMessage is the JSON SNS posts.
type snsMessage struct {
	Type             string
	MessageID        string `json:"MessageId"`
	Token            string
	TopicArn         string
	Subject          *string
	Message          string
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string
	SubscribeURL     string
}

var snsHostRE = regexp.MustCompile(`^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// snsURL checks that u is an https URL on an SNS host.
func snsURL(u string) (*url.URL, error) {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.User != nil || p.Port() != "" || !snsHostRE.MatchString(p.Hostname()) {
		return nil, fmt.Errorf("%w: %q is not an https URL on an sns.<region>.amazonaws.com host", ErrSignature, u)
	}
	return p, nil
}

// stringToSign builds what SNS signs: the listed keys and values, each
// on a line of its own, in this order.
func (m *snsMessage) stringToSign() (string, error) {
	var keys []string
	switch m.Type {
	case "Notification":
		keys = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		keys = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	default:
		return "", fmt.Errorf("bounce: SNS message type %q", m.Type)
	}
	var b strings.Builder
	for _, k := range keys {
		var v string
		switch k {
		case "Message":
			v = m.Message
		case "MessageId":
			v = m.MessageID
		case "Subject":
			if m.Subject == nil {
				continue
			}
			v = *m.Subject
		case "Timestamp":
			v = m.Timestamp
		case "TopicArn":
			v = m.TopicArn
		case "Type":
			v = m.Type
		case "SubscribeURL":
			v = m.SubscribeURL
		case "Token":
			v = m.Token
		}
		b.WriteString(k + "\n" + v + "\n")
	}
	return b.String(), nil
}

func (s *SNS) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Parse verifies one SNS request body and returns its events. A
// subscription confirmation is confirmed (its SubscribeURL fetched) and
// gives no events.
func (s *SNS) Parse(ctx context.Context, body []byte) ([]Event, error) {
	var m snsMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: SNS body: %v", ErrMalformed, err)
	}
	if err := s.verify(ctx, &m); err != nil {
		return nil, err
	}
	switch m.Type {
	case "SubscriptionConfirmation":
		u, err := snsURL(m.SubscribeURL)
		if err != nil {
			return nil, err
		}
		if err := s.get(ctx, u.String(), nil); err != nil {
			return nil, fmt.Errorf("bounce: confirming the SNS subscription to %s: %w", m.TopicArn, err)
		}
		return nil, nil
	case "UnsubscribeConfirmation":
		return nil, nil
	}
	evs, err := parseSES([]byte(m.Message))
	for i := range evs {
		evs[i].Brand = s.Brand
	}
	return evs, err
}

func (s *SNS) verify(ctx context.Context, m *snsMessage) error {
	if !slices.Contains(s.Topics, m.TopicArn) {
		return fmt.Errorf("%w: SNS topic %q is not one of the configured topics", ErrSignature, m.TopicArn)
	}
	var h crypto.Hash
	switch m.SignatureVersion {
	case "1":
		h = crypto.SHA1
	case "2":
		h = crypto.SHA256
	default:
		return fmt.Errorf("%w: SNS SignatureVersion %q", ErrSignature, m.SignatureVersion)
	}
	ts, err := time.Parse(time.RFC3339Nano, m.Timestamp)
	maxAge := s.MaxAge
	if maxAge <= 0 {
		maxAge = 24 * time.Hour
	}
	if err != nil || s.now().Sub(ts).Abs() > maxAge {
		return fmt.Errorf("%w: SNS Timestamp %q is unreadable or more than %s away", ErrSignature, m.Timestamp, maxAge)
	}
	sts, err := m.stringToSign()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("%w: SNS Signature is not base64", ErrSignature)
	}
	if _, err := snsURL(m.SigningCertURL); err != nil {
		return err
	}
	if !strings.HasSuffix(strings.ToLower(m.SigningCertURL), ".pem") {
		return fmt.Errorf("%w: SNS SigningCertURL %q is not a .pem", ErrSignature, m.SigningCertURL)
	}
	key, err := s.cert(ctx, m.SigningCertURL)
	if err != nil {
		return err
	}
	var sum []byte
	if h == crypto.SHA1 {
		d := sha1.Sum([]byte(sts))
		sum = d[:]
	} else {
		d := sha256.Sum256([]byte(sts))
		sum = d[:]
	}
	if err := rsa.VerifyPKCS1v15(key, h, sum, sig); err != nil {
		return fmt.Errorf("%w: SNS message %s", ErrSignature, m.MessageID)
	}
	return nil
}

// cert returns the public key at u, from the cache when it was fetched
// before.
func (s *SNS) cert(ctx context.Context, u string) (*rsa.PublicKey, error) {
	now := s.now()
	if k := s.certs.get(u, now); k != nil {
		return k, nil
	}
	var pemBytes []byte
	if err := s.get(ctx, u, &pemBytes); err != nil {
		return nil, fmt.Errorf("bounce: SNS signing certificate: %w", err)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%w: %s holds no PEM certificate", ErrSignature, u)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: SNS certificate: %v", ErrSignature, err)
	}
	if now.Before(c.NotBefore) || now.After(c.NotAfter) {
		return nil, fmt.Errorf("%w: SNS certificate %s is outside its validity", ErrSignature, u)
	}
	k, ok := c.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: SNS certificate key is not RSA", ErrSignature)
	}
	expires := now.Add(24 * time.Hour)
	if c.NotAfter.Before(expires) {
		expires = c.NotAfter
	}
	s.certs.put(u, k, expires, now)
	return k, nil
}

// get fetches u; the body, at most 64 KiB, goes to out when it is set.
func (s *SNS) get(ctx context.Context, u string, out *[]byte) error {
	if s.Client == nil {
		return errors.New("bounce: SNS has no HTTP client configured")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	if out != nil {
		*out = b
	}
	return nil
}

// certCache keeps a few certificates' keys: SNS signs with one or two
// at a time, and a flood of made-up URLs is refused before it gets
// here, as they must be on an SNS host.
type certCache struct {
	mu sync.Mutex
	m  map[string]cachedKey
}

type cachedKey struct {
	key     *rsa.PublicKey
	expires time.Time
}

const maxCerts = 16

func (c *certCache) get(u string, now time.Time) *rsa.PublicKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[u]; ok && now.Before(e.expires) {
		return e.key
	}
	return nil
}

func (c *certCache) put(u string, k *rsa.PublicKey, expires, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedKey{}
	}
	for url, e := range c.m {
		if !now.Before(e.expires) {
			delete(c.m, url)
		}
	}
	for url := range c.m {
		if len(c.m) < maxCerts {
			break
		}
		delete(c.m, url)
	}
	c.m[u] = cachedKey{k, expires}
}
