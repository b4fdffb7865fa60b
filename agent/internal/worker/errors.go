package worker

import "fmt"

func errMissing(field string) error {
	return fmt.Errorf("worker config: %s is required", field)
}
