// Package twin defines Thing again, which package broken defines too.
package twin

// Thing duplicates broken.Thing.
type Thing struct{ CreateTime int64 }
