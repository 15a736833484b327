// Typed wrappers over libcurl's variadic entry points, which Swift cannot call directly.
// No logic lives here: one function per argument type.
#ifndef RURALMAP_CURL_SHIM_H
#define RURALMAP_CURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*rm_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*rm_curl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                         curl_off_t ultotal, curl_off_t ulnow);

CURLcode rm_curl_set_long(CURL *handle, CURLoption option, long value);
CURLcode rm_curl_set_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode rm_curl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode rm_curl_set_pointer(CURL *handle, CURLoption option, void *value);
CURLcode rm_curl_set_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode rm_curl_set_write_callback(CURL *handle, rm_curl_data_callback callback, void *userdata);
CURLcode rm_curl_set_header_callback(CURL *handle, rm_curl_data_callback callback, void *userdata);
CURLcode rm_curl_set_progress_callback(CURL *handle, rm_curl_xferinfo_callback callback, void *userdata);

CURLcode rm_curl_get_long(CURL *handle, CURLINFO info, long *value);
CURLcode rm_curl_get_off(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode rm_curl_get_string(CURL *handle, CURLINFO info, const char **value);
#endif
