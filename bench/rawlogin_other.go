// Platforms without the raw login engine: the login storm always goes through package net.
//
//go:build !linux

package bench

import "context"

const rawLoginAvailable = false

type rawLogin struct{}

func newRawLogin(*Config) (*rawLogin, error) { return nil, ErrBadConfig }

func runRawLogin(context.Context, *runner, *rawLogin, int) {}
