package audit

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

// fastAgrees checks one type: when the fast decoder accepts data, encoding/json must
// accept it too and read the same value. It reports whether the fast path accepted.
func fastAgrees[T any](t *testing.T, data []byte) bool {
	t.Helper()
	var fast T
	s := jscan{b: data}
	if !any(&fast).(fastDecoder).fast(&s) || !s.done() {
		return false
	}
	var slow T
	if err := json.Unmarshal(data, &slow); err != nil {
		t.Fatalf("%T: fast path read %s, encoding/json refuses it: %v", fast, data, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%T of %s:\nfast %#v\njson %#v", fast, data, fast, slow)
	}
	return true
}

func allFastAgree(t *testing.T, data []byte) int {
	n := 0
	for _, ok := range []bool{
		fastAgrees[runStartData](t, data), fastAgrees[runEndData](t, data), fastAgrees[stageEndData](t, data),
		fastAgrees[artifactData](t, data), fastAgrees[bundleData](t, data), fastAgrees[approvalData](t, data),
		fastAgrees[approvalResultData](t, data), fastAgrees[tokenMintedData](t, data), fastAgrees[tokenRevokeData](t, data),
		fastAgrees[uploadData](t, data), fastAgrees[assetData](t, data), fastAgrees[releaseFinalData](t, data),
		fastAgrees[transparencyData](t, data),
	} {
		if ok {
			n++
		}
	}
	return n
}

// fastDataEdges are the shapes where a hand-written decoder most easily parts from
// encoding/json: case-folded and repeated keys, null, numbers that are not ints,
// escapes, invalid UTF-8, empty arrays and maps, trailing bytes.
var fastDataEdges = []string{
	`{}`, `{"Name":"x"}`, `{"name":"a","name":"b"}`, `{"name":null}`, `{"size":1.0}`, `{"size":1e3}`,
	`{"size":-0}`, `{"size":9223372036854775808}`, `{"exit_code":01}`, `{"name":"a\"b"}`, `{"name":"\xff"}`,
	`{"stages":[]}`, `{"stages":null}`, `{"stages":["a",1]}`, `{"assets":{}}`, `{"assets":{"a":"x","a":"y"}}`,
	`{"claims":{"run_id":4242,"run_attempt":"1","x":1.5e300,"y":1e400}}`, `{"claims":{"run_id":true}}`,
	`{"id":"12","run_id":12,"run_attempt":-3}`, `{"digests":{"sha256":"ab","SHA256":"cd"}}`, `{"digests":{"sha512":"x"}}`,
	`{"name":"x"} `, `{"name":"x"}x`, `{ "name":"x"}`, `{"ſtages":["a"]}`, `{"\u006eame":"x"}`,
	`{"extra":{"deep":[1,2,{"a":[true,false,null]}]},"name":"n"}`, `{"extra":"\ud800"}`, `{"extra":"\x01"}`,
	`{"approved":true,"required":2,"counted":2,"approvers":["a","b"],"excluded":[]}`, `{"local":"true"}`,
	`{"result":"done","error":""}`, `{"transparency":"https://rekor.example/1"}`,
	`{"problems":null,"assets":{"a":null,"b":"x"}}`, `{"stages":[null,"a"]}`, `{"claims":{"a":null}}`,
	`{"digests":null,"size":null,"local":null,"id":null}`, `{"name":nul}`, `{"stages":[nulll]}`,
}

// TestFastDataDecoders checks every event data of the fixtures and the edge cases
// against encoding/json, and that the fixtures do take the fast path.
func TestFastDataDecoders(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "e2e", "*.jsonl"))
	for _, name := range files {
		for _, e := range readEvents(t, readFixture(t, filepath.Base(name))) {
			if len(e.Data) > 0 && allFastAgree(t, e.Data) == 0 {
				t.Errorf("%s seq %d (%s): no fast decoder read %s", name, e.Seq, e.Type, e.Data)
			}
		}
	}
	for _, d := range fastDataEdges {
		allFastAgree(t, []byte(d))
	}
}

func FuzzFastData(f *testing.F) {
	for _, d := range fastDataEdges {
		f.Add([]byte(d))
	}
	for _, e := range readEvents(f, readFixture(f, "whole-release.jsonl")) {
		f.Add([]byte(e.Data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		allFastAgree(t, data)
	})
}
