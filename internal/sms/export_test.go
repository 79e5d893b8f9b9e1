package sms

// Waiting returns how many deliveries of the message (scope, sid) wait in h for the one
// being answered, so tests can line up concurrent deliveries without sleeping.
func Waiting(h *Handler, scope, sid string) int { return h.flights.waiting(scope + "/" + sid) }
