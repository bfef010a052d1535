// reply_test.go: reply encoding and sanitising.

package proto

import "testing"

func TestAppendReply(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{string(AppendReply(nil, 200, "OK")), "200 OK\r\n"},
		{string(AppendReply([]byte("x"), 220, "")), "x220 \r\n"},
		{string(AppendReply(nil, 550, "a\r\n226 forged")), "550 a\r\x00\x00226 forged\r\n"},
		{string(AppendReply(nil, 550, "\n\r")), "550 \x00\r\x00\r\n"},
		{string(AppendReply(nil, 550, "nul\x00 and \xff\xfe")), "550 nul\x00 and \xff\xfe\r\n"},
		{string(AppendReply(nil, 99, "bad code")), "500 bad code\r\n"},
		{string(AppendReply(nil, 600, "bad code")), "500 bad code\r\n"},
		{string(AppendReply(nil, -1, "bad code")), "500 bad code\r\n"},
		{string(AppendReply(nil, 100, "")), "100 \r\n"},
		{string(AppendReply(nil, 599, "")), "599 \r\n"},
		{string(AppendReplyBytes(nil, 500, []byte("'XYZ\r\n': command not understood"))), "500 'XYZ\r\x00\x00': command not understood\r\n"},
		{string(AppendReplyStart(nil, 211, "Features:")), "211-Features:\r\n"},
		{string(AppendReplyStart(nil, 211, "x\ny")), "211-x\x00y\r\n"},
		{string(AppendReplyCont(nil, []byte("UTF8"))), " UTF8\r\n"},
		{string(AppendReplyCont(nil, []byte("211 End\r\n"))), " 211 End\r\x00\x00\r\n"},
		{string(AppendSanitized(nil, []byte("a\rb\nc\r\n"))), "a\r\x00b\x00c\r\x00\x00"},
		{string(AppendSanitizedString(nil, "clean")), "clean"},
		{string(AppendQuotedPath(nil, "/")), `"/"`},
		{string(AppendQuotedPath(nil, `/a "b"`)), `"/a ""b"""`},
		{string(AppendQuotedPath(nil, `"`)), `""""`},
		{string(AppendQuotedPath(nil, "/x\r\n257 \"y")), "\"/x\r\x00\x00257 \"\"y\""},
		{string(AppendQuotedPath(nil, "")), `""`},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestAppendReplyReusesCapacity(t *testing.T) {
	buf := make([]byte, 0, 64)
	out := AppendReply(buf, 200, "OK")
	if &out[0] != &buf[:1][0] {
		t.Fatal("AppendReply reallocated a buffer with room to spare")
	}
}
