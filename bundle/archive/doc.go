// Package archive is the zip container of a script bundle (.exob), and
// nothing more: it turns a list of files into zip bytes and zip bytes back
// into a list of files. What the files mean (manifest, hashes, signature)
// is the bundle package's business.
//
// A bundle comes from someone else, so [Read] trusts nothing in it: every
// name must be a clean relative path that cannot escape a folder on any
// OS (zip-slip), two names must not land on the same file on a
// case-insensitive file system, only regular files are accepted (no
// symlinks, no devices), and sizes are capped before and while
// decompressing, so that a small archive cannot expand into gigabytes (a
// zip bomb). Each refusal is an [*Error] naming the entry.
//
// [Write] is the other half: the same files always give the same bytes,
// whatever the machine, OS, clock or umask, so that a bundle's hash
// identifies its content, and it refuses anything Read would refuse.
package archive
