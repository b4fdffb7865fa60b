package names

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"José", "jose"}, {"Núñez", "nunez"}, {"Søren", "soren"}, {"Kjær", "kjaer"}, {"Łukasz", "lukasz"},
		{"Đức", "duc"}, {"Þór", "thor"}, {"Guðmundsson", "gudmundsson"}, {"Groß", "gross"}, {"Œuvray", "oeuvray"},
		{"Işık", "isik"}, {"İlknur", "ilknur"}, {"Nguyễn", "nguyen"}, {"O'Brien", "obrien"}, {"O’Brien", "obrien"},
		{"van der Berg", "vanderberg"}, {"Smith-Jones", "smith-jones"}, {"Ștefan", "stefan"}, {"Şerban", "serban"},
		{"佐藤", ""}, {"Ó Súilleabháin", "osuilleabhain"},
	} {
		t.Run(tc.in, func(t *testing.T) { require.Equal(t, tc.want, Fold(tc.in)) })
	}
}
