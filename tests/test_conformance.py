"""Jupyter protocol conformance of the gonote kernel, checked by Debian's
jupyter_kernel_test against a running kernel (registered as "gonote" by
tests/run.sh in a private JUPYTER_PATH)."""

import os
import shutil
import tempfile
import unittest

import jupyter_kernel_test


class GonoteConformance(jupyter_kernel_test.KernelTests):
    kernel_name = "gonote"

    @classmethod
    def setUpClass(cls):
        # The history tests count matches of a pattern, so the kernel gets a
        # history of its own instead of the one other tests have filled.
        cls._saved_data_dir = os.environ.get("JUPYTER_DATA_DIR")
        cls._data_dir = tempfile.mkdtemp(prefix="gonote-conformance-")
        os.environ["JUPYTER_DATA_DIR"] = cls._data_dir
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if cls._saved_data_dir is None:
            os.environ.pop("JUPYTER_DATA_DIR", None)
        else:
            os.environ["JUPYTER_DATA_DIR"] = cls._saved_data_dir
        shutil.rmtree(cls._data_dir, ignore_errors=True)

    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'fmt.Println("hello, world")'
    code_stderr = 'fmt.Fprintln(os.Stderr, "to stderr")'

    completion_samples = [
        {"text": "strings.ToUpp", "matches": {"ToUpper", "ToUpperSpecial"}},
        {"text": "math.Sqrt", "matches": {"Sqrt", "Sqrt2", "SqrtE", "SqrtPhi", "SqrtPi"}},
        {"text": "fmt.Sprintl", "matches": {"Sprintln"}},
        {"text": "x := 1\nstrings.TrimSpa", "matches": {"TrimSpace"}},
    ]

    complete_code_samples = [
        "x := 1",
        'fmt.Println("hi")',
        "func f() int { return 1 }",
        "%time 1 + 1",
    ]
    incomplete_code_samples = [
        "func f() {",
        "for i := 0; i < 3; i++ {",
        "x := []int{1, 2,",
        "s := `raw string",
    ]
    invalid_code_samples = [
        "x := )",
        "func f() }",
    ]

    code_page_something = "strings.ToUpper?"

    code_generate_error = 'panic("boom")'

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": '"go" + "pher"', "result": '"gopher"'},
        {"code": "math.Sqrt(16)", "result": "4"},
    ]

    code_display_data = [
        {"code": 'display.HTML("<b>bold</b>")', "mime": "text/html"},
        {"code": 'display.Markdown("# title")', "mime": "text/markdown"},
        {"code": 'display.SVG(`<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>`)',
         "mime": "image/svg+xml"},
        {"code": 'display.Show(plotting.Line([]float64{1, 2, 3}, []float64{1, 4, 9}, "squares"))', "mime": "image/png"},
    ]

    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "strings.ToUpper"

    code_clear_output = 'fmt.Println("soon gone")\ndisplay.Clear(false)'


if __name__ == "__main__":
    unittest.main()
