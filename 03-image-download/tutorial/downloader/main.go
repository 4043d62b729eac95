// Command downloader is the tutorial's picture downloader, translated line
// for line: the listing under "requests library" that asks the Tianxing
// API for ten pictures, then downloads each in a thread of its own (here
// a goroutine), saving it under the last part of its URL. It has no
// timeouts and no size limits, starts as many downloads as the API lists,
// saves whatever comes back, error pages included, replaces files of the
// same name, and trusts the names in the URLs.
//
// Changed so that it runs here: it asks the chapter's local picture API,
// http://127.0.0.1:8000/meinv/ with its demo key, or the URL given as its
// first argument, instead of api.tianapi.com with your own key, and saves
// in the folder downloads (made if missing), or in the folder given as
// its second argument, instead of /Users/Hao/. And one addition: Python
// waits for its threads before it exits, but a Go program ends when main
// returns, goroutines or not, so main waits for them with a WaitGroup.
//
//	go run ./03-image-download/server
//	go run ./03-image-download/tutorial/downloader
//
// The full program is ../client: the chapter's README walks from this one
// to it.
package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// out is the folder the pictures are saved in.
var out = "downloads"

// downloadHandler is the tutorial's thread class: main starts its run
// method in a goroutine of its own.
type downloadHandler struct {
	url string
}

func (h downloadHandler) run() {
	filename := h.url[strings.LastIndex(h.url, "/")+1:]
	resp, err := http.Get(h.url)
	if err != nil {
		// As an exception in a Python thread, this ends the goroutine
		// only: the other downloads go on.
		log.Print(err)
		return
	}
	defer resp.Body.Close()
	content, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Print(err)
		return
	}
	err = os.WriteFile(filepath.Join(out, filename), content, 0o644)
	if err != nil {
		log.Print(err)
	}
}

func main() {
	api := "http://127.0.0.1:8000/meinv/?key=demo&num=10"
	if len(os.Args) > 1 {
		api = os.Args[1]
	}
	if len(os.Args) > 2 {
		out = os.Args[2]
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		log.Fatal(err)
	}
	// Get the network resource with http.Get, as with requests.get.
	resp, err := http.Get(api)
	if err != nil {
		log.Fatal(err)
	}
	// Decode the JSON answer, as resp.json() does into a dict. An answer
	// with an error code has no newslist: nothing to download (Python
	// stops there with a KeyError).
	var dataModel struct{ Newslist []map[string]string }
	if err := json.NewDecoder(resp.Body).Decode(&dataModel); err != nil {
		log.Fatal(err)
	}
	var wg sync.WaitGroup // the addition: see above
	for _, mmDict := range dataModel.Newslist {
		url := mmDict["picUrl"]
		// Download the pictures at once, a goroutine each.
		wg.Go(downloadHandler{url}.run)
	}
	wg.Wait()
}
