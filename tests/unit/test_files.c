/* Unit tests of files: listing and reading a folder tree. */
#include "files.h"
#include "test.h"

/* An empty folder lists as nothing, without sorting a NULL array (UBSan). */
TEST_IMPL(files_empty_folder)
{
    char *dir = fixture_tmpdir();
    err e = ERR_INIT;
    files_list l;
    ASSERT_EQ(files_list_tree(dir, ".lua", &l, &e), ERR_OK);
    ASSERT_EQ(l.count, 0);
    files_list_free(&l);
    files_tree t;
    ASSERT_EQ(files_tree_read(dir, ".lua", NULL, &t, &e), ERR_OK);
    ASSERT_EQ(t.count, 0);
    files_tree_free(&t);
    fixture_rmtree(dir);
    return 0;
}
