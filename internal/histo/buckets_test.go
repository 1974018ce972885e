package histo

import (
	"strconv"
	"testing"
	"time"
)

func TestBounds(t *testing.T) {
	if got, want := time.Duration(bounds[0]), time.Microsecond; got != want {
		t.Errorf("first bound: got %v; want %v", got, want)
	}
	if got, want := time.Duration(bounds[numBounds-1]), 63*time.Second; got != want {
		t.Errorf("last bound: got %v; want %v", got, want)
	}
	for i := 1; i < numBounds; i++ {
		if ratio := float64(bounds[i]) / float64(bounds[i-1]); ratio <= 1 || ratio > 1.28 {
			t.Errorf("bounds[%d]/bounds[%d]: got %.3f; want in (1, 1.28]", i, i-1, ratio)
		}
	}
}

func TestLabels(t *testing.T) {
	for _, tc := range []struct {
		bucket int
		want   string
	}{
		{0, "0.001"},
		{1, "0.00125"},
		{10, "0.01"},
		{17, "0.05"},
		{34, "2.5"},
		{78, "63000"},
		{79, "inf"},
	} {
		if got := labels[tc.bucket]; got != tc.want {
			t.Errorf("labels[%d]: got %q; want %q", tc.bucket, got, tc.want)
		}
	}
	for i, l := range labels[:numBounds] {
		ms, err := strconv.ParseFloat(l, 64)
		if err != nil || time.Duration(ms*float64(time.Millisecond)+0.5) != time.Duration(bounds[i]) {
			t.Errorf("labels[%d] = %q: got %v ms, err %v; want %v", i, l, ms, err, time.Duration(bounds[i]))
		}
		if got := labelIndex[l]; got != i {
			t.Errorf("labelIndex[%q]: got %d; want %d", l, got, i)
		}
	}
}

func TestBucketOf(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int
	}{
		{-time.Second, 0},
		{0, 0},
		{time.Microsecond, 0},
		{time.Microsecond + 1, 1},
		{1250 * time.Nanosecond, 1},
		{50 * time.Microsecond, 17},
		{2 * time.Millisecond, 33},
		{2*time.Millisecond + 1, 34},
		{63 * time.Second, 78},
		{63*time.Second + 1, 79},
		{time.Hour, 79},
	} {
		if got := bucketOf(tc.d); got != tc.want {
			t.Errorf("bucketOf(%v): got %d; want %d", tc.d, got, tc.want)
		}
	}
}
