module github.com/vasteras/trygg

go 1.26.8

require (
	github.com/nicksnyder/go-i18n/v2 v2.7.0
	github.com/slack-go/slack v0.35.0
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/text v0.44.0
)

require github.com/gorilla/websocket v1.5.3 // indirect
