package hclconfig

import "github.com/hashicorp/hcl/v2"

// The schemas of a workflow file's blocks. hcl checks bodies against them
// and itself suggests the nearest name for a misspelt attribute or block.

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "workflow", LabelNames: []string{"name"}},
		{Type: "param", LabelNames: []string{"name"}},
		{Type: "job", LabelNames: []string{"name"}},
		{Type: "flow", LabelNames: []string{"name"}},
		{Type: "output", LabelNames: []string{"name"}},
	},
}

var workflowSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "description"},
		{Name: "executor"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "resources"}},
}

var paramSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "help"},
		{Name: "description"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

var jobSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "command", Required: true},
		{Name: "for_each"},
		{Name: "outputs"},
		{Name: "inputs"},
		{Name: "env"},
		{Name: "after"},
		{Name: "executor"},
		{Name: "cache"},
		{Name: "version"},
		{Name: "allow_empty"},
		{Name: "description"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "resources"},
		{Type: "retry"},
	},
}

var retrySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "attempts"},
		{Name: "on"},
		{Name: "mem_factor"},
		{Name: "time_factor"},
	},
}

var flowSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "source", Required: true},
		{Name: "params"},
	},
}

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "value", Required: true},
		{Name: "description"},
	},
}
